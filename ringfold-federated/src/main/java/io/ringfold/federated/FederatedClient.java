package io.ringfold.federated;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.Dataset;
import io.ringfold.federated.exact.ExactSum;
import io.ringfold.federated.privacy.ClientDpTask;
import io.ringfold.federated.wire.ConnectionLostException;
import io.ringfold.federated.wire.FederatedException;
import io.ringfold.federated.wire.Message;
import io.ringfold.federated.wire.MessageChannel;
import io.ringfold.federated.wire.MessageType;
import io.ringfold.train.TrainingConfig;

import javax.net.SocketFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.function.Consumer;

/**
 * A federated client: connects to the coordinator, describes its data ({@link DataDescription}), answers the
 * standardisation round with its rows' exact per-feature statistics ({@link StatisticsReply}), and for every TASK
 * trains locally (on its rows standardised as the TASK says) from the global parameters and sends back the delta;
 * the rows and labels never leave it.
 * When the connection is lost (a restarted coordinator) it connects again, within its connect timeout; a refusal
 * (wrong token, data that do not fit the run) ends it at once.
 */
public final class FederatedClient {

    private static final long WELCOME_TIMEOUT_MILLIS = 30_000;

    private final ClientOptions options;
    private final Dataset data;
    private final SocketFactory sockets;
    private final Consumer<String> log;
    private final DataDescription description;
    private final StatisticsReply statistics;

    /** @param sockets plain or TLS sockets ({@code SSLContext.getSocketFactory()}) */
    public FederatedClient(ClientOptions options, Dataset data, SocketFactory sockets, Consumer<String> log) {
        this.options = options;
        this.data = data;
        this.sockets = sockets;
        this.log = log;
        this.description = DataDescription.of(data);
        this.statistics = new StatisticsReply(data, options.idleTimeout(), log);
    }

    /** Runs until the coordinator says the run is over; returns the rounds this client trained. */
    public int run() throws InterruptedException {
        int trained = 0;
        // Reset by every WELCOME: a coordinator that keeps dropping the connection before it (a TLS mismatch, a
        // restart loop) ends the client when the connect timeout passes.
        long deadline = System.nanoTime() + options.connectTimeout().toNanos();
        FederatedException lost;
        do {
            try (MessageChannel channel = connect(deadline)) {
                LocalTraining local = join(channel);
                deadline = Long.MAX_VALUE;
                while (true) {
                    Message m = channel.receive(System.nanoTime() + options.idleTimeout().toNanos(),
                            "TASK or DONE (idle timeout " + options.idleTimeout().toSeconds() + " s)",
                            (long) local.parameterCount() * Float.BYTES);
                    if (m.type() == MessageType.STATISTICS) {
                        statistics.answer(channel, m);
                        continue;
                    }
                    if (m.type() == MessageType.DONE) {
                        log.accept("done: the coordinator finished after " + m.header().path("rounds").asInt()
                                + " rounds; this client trained " + trained);
                        return trained;
                    }
                    if (m.type() != MessageType.TASK) {
                        throw new FederatedException(options.coordinator() + ": message " + m.type()
                                + " (expected: TASK or DONE)");
                    }
                    trainRound(channel, local, m);
                    trained++;
                }
            } catch (ConnectionLostException e) {
                lost = e;
                if (deadline == Long.MAX_VALUE) {
                    deadline = System.nanoTime() + options.connectTimeout().toNanos();
                }
                log.accept("connection lost (" + e.getMessage() + "); connecting again for up to "
                        + options.connectTimeout().toSeconds() + " s");
                Thread.sleep(200);
            }
        } while (System.nanoTime() - deadline < 0);
        throw new FederatedException(options.coordinator() + ": no working connection within "
                + options.connectTimeout().toSeconds() + " s; last: " + lost.getMessage());
    }

    private void trainRound(MessageChannel channel, LocalTraining local, Message task) {
        int round = task.header().path("round").asInt(-1);
        if (task.body().length != local.parameterCount() * Float.BYTES) {
            throw new FederatedException(options.coordinator() + ": TASK of " + task.body().length + " bytes (expected: "
                    + local.parameterCount() + " float32 parameters)");
        }
        long t0 = System.nanoTime();
        float[] delta = local.delta(task.floats(), task.header().path("local_seed").asLong(),
                FederatedStandardisation.fromTask(task.header(), description.features()));
        ObjectNode h = Message.newHeader();
        h.put("round", round);
        h.put("examples", data.size());
        if (task.header().has("client_dp")) {
            trainPrivateRound(channel, task, delta, h, t0);
            return;
        }
        if (!task.header().has("secure")) {
            channel.send(Message.withFloats(MessageType.UPDATE, h, delta));
            log.accept(String.format(java.util.Locale.ROOT, "round %d: trained on %d examples in %.2f s, update sent",
                    round, data.size(), (System.nanoTime() - t0) / 1e9));
            return;
        }
        // Under secure aggregation the coordinator cannot check the update, so the client does, and says why it
        // sends none rather than letting a diverged update into the sum.
        String refusal = ExactSum.refusal(delta);
        if (refusal != null) {
            h.put("refused", refusal);
            channel.send(Message.of(MessageType.UPDATE, h));
            log.accept("round " + round + ": update not sent: " + refusal);
            return;
        }
        long[] input = java.util.Arrays.copyOf(ExactSum.contribution(delta, data.size(),
                task.header().path("exponent").asInt()), delta.length + 1);
        input[delta.length] = data.size();
        SecureClientRound.run(channel, task.header().get("secure"), input, options.idleTimeout().toNanos());
        log.accept(String.format(java.util.Locale.ROOT, "round %d: trained on %d examples, masked update aggregated "
                + "securely in %.2f s", round, data.size(), (System.nanoTime() - t0) / 1e9));
    }

    /**
     * A round of client-level differential privacy in which this client clips and noises its own update (the
     * coordinator runs secure aggregation and must not see it): masked into the sum with weight 1, or, when it is
     * the round's only client, sent as it is (it then carries the whole noise).
     */
    private void trainPrivateRound(MessageChannel channel, Message task, float[] delta, ObjectNode h, long t0) {
        int round = h.path("round").asInt();
        String refusal = ExactSum.refusal(delta);
        ClientDpTask dp = ClientDpTask.fromJson(task.header().get("client_dp"));
        float[] privatised = refusal == null ? dp.privatise(delta, dp.newNoise()) : null;
        if (refusal == null) {
            refusal = ExactSum.refusal(privatised);
        }
        if (refusal != null) {
            h.put("refused", refusal);
            channel.send(Message.of(MessageType.UPDATE, h));
            log.accept("round " + round + ": update not sent: " + refusal);
            return;
        }
        if (!task.header().has("secure")) {
            channel.send(Message.withFloats(MessageType.UPDATE, h, privatised));
        } else {
            long[] input = java.util.Arrays.copyOf(ExactSum.contribution(privatised, 1,
                    task.header().path("exponent").asInt()), privatised.length + 1);
            input[privatised.length] = data.size();
            SecureClientRound.run(channel, task.header().get("secure"), input, options.idleTimeout().toNanos());
        }
        log.accept(String.format(java.util.Locale.ROOT, "round %d: trained on %d examples, update clipped to %s and "
                + "noised (std %.4g), %s in %.2f s", round, data.size(), dp.clip(), dp.noiseStd(),
                task.header().has("secure") ? "aggregated securely" : "sent", (System.nanoTime() - t0) / 1e9));
    }

    /** HELLO, then WELCOME (the local training it sets up) or REFUSED (thrown). */
    private LocalTraining join(MessageChannel channel) {
        ObjectNode hello = Message.newHeader();
        hello.put("client_id", options.clientId());
        if (options.token() != null) {
            hello.put("token", options.token());
        }
        hello.set("data", description.toJson());
        channel.send(Message.of(MessageType.HELLO, hello));
        Message m = channel.receive(System.nanoTime() + WELCOME_TIMEOUT_MILLIS * 1_000_000, "WELCOME", 0);
        if (m.type() == MessageType.REFUSED) {
            throw new FederatedException(options.coordinator() + " refused client " + options.clientId() + ": "
                    + m.header().path("reason").asText());
        }
        if (m.type() != MessageType.WELCOME) {
            throw new FederatedException(options.coordinator() + ": message " + m.type() + " (expected: WELCOME)");
        }
        ObjectNode h = m.header();
        TrainingConfig config = TrainingConfig.fromJson(h.path("config"));
        LocalTraining local = new LocalTraining(config, h.path("classes").asInt(), h.path("local_epochs").asInt(1),
                (float) h.path("proximal_mu").asDouble(), data);
        log.accept("joined " + options.coordinator() + " as " + options.clientId() + ": " + h.path("rounds").asInt()
                + " rounds, " + local.parameterCount() + " parameters, " + data.size() + " local examples");
        return local;
    }

    /** Connects, retrying until the connect timeout passes; the failure names the coordinator. */
    private MessageChannel connect(long deadline) throws InterruptedException {
        IOException last;
        do {
            Socket s = null;
            try {
                s = sockets.createSocket();
                int left = (int) Math.max(1, Math.min(5_000, (deadline - System.nanoTime()) / 1_000_000));
                s.connect(new InetSocketAddress(options.host(), options.port()), left);
                return new MessageChannel(s, options.coordinator());
            } catch (IOException e) {
                last = e;
                if (s != null) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // The connection failed already; that failure is the one reported.
                    }
                }
                Thread.sleep(200);
            }
        } while (System.nanoTime() - deadline < 0);
        throw new FederatedException(options.coordinator() + " not reachable within " + options.connectTimeout()
                .toSeconds() + " s: " + last.getMessage());
    }
}
