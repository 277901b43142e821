package io.ringfold.federated;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.collective.secagg.AggregationResult;
import io.ringfold.collective.secagg.Receipt;
import io.ringfold.collective.secagg.SecAggCodec;
import io.ringfold.collective.secagg.SecAggException;
import io.ringfold.collective.secagg.SecAggMessage;
import io.ringfold.collective.secagg.SecAggParameters;
import io.ringfold.collective.secagg.SecAggServer;
import io.ringfold.federated.exact.ExactSum;
import io.ringfold.federated.wire.FederatedException;
import io.ringfold.federated.wire.Message;
import io.ringfold.federated.wire.MessageType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * The coordinator's side of a round under secure aggregation: the sampled clients, numbered 0..K-1 in sample
 * order, run the protocol of Bonawitz et al. (2017) ({@link SecAggServer}) over the round's connections, each
 * masking its int64 contribution ({@link ExactSum#contribution}, with its example count appended) so that the
 * coordinator learns only the sum. The sum is the one the plain round computes, so the parameters are the same
 * bits. A client that drops out or misbehaves at any stage is excluded with the reason; the round needs more than
 * half of its sampled clients (the protocol's threshold) to finish. The statistics round ({@link StatisticsRound})
 * runs it the same way over the clients' exact moments, as session 0.
 */
final class SecureRound {

    private final long session;
    private final String round;
    private final List<String> ids;
    private final Map<String, ClientRegistry.Session> sessions;
    private final int parameters;
    private final Function<String, Message> opening;
    private final long deadline;
    private final ExecutorService threads;
    private final Map<String, String> excluded = new LinkedHashMap<>();
    private final long maxBody;

    /**
     * @param session    the protocol's session: the round, or 0 for the statistics round
     * @param round      the round as messages name it ("round 3")
     * @param parameters the length of the summed vector, the example count not included
     * @param opening    the message that starts a client's part (its TASK), to which the protocol's header is added
     */
    SecureRound(long session, String round, Map<String, ClientRegistry.Session> sessions, int parameters,
                Function<String, Message> opening, long deadline, ExecutorService threads) {
        this.session = session;
        this.round = round;
        this.ids = new ArrayList<>(sessions.keySet());
        this.sessions = sessions;
        this.parameters = parameters;
        this.opening = opening;
        this.deadline = deadline;
        this.threads = threads;
        this.maxBody = maxSecureBody(parameters + 1, ids.size());
    }

    /** The largest protocol message either side takes: a masked vector plus a share for every client, generously. */
    static long maxSecureBody(int vectorLength, int clients) {
        return 4096L + 8L * vectorLength + 1024L * clients;
    }

    Coordinator.Aggregate run() throws InterruptedException {
        int k = ids.size();
        if (k < 2) {
            Map<String, String> none = new LinkedHashMap<>();
            ids.forEach(id -> none.put(id, round + ": secure aggregation needs at least 2 connected sampled "
                    + "clients (expected: a sum of several; one client's sum is its update)"));
            return new Coordinator.Aggregate(new long[parameters], 0, List.of(), none);
        }
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            numbers.add(i);
        }
        int threshold = SecAggParameters.minimumThreshold(k);
        SecAggServer server = new SecAggServer(new SecAggParameters(session, numbers, threshold, parameters + 1));
        for (int i = 0; i < k; i++) {
            Message first = opening.apply(ids.get(i));
            ObjectNode secure = first.header().putObject("secure");
            secure.put("session", session);
            secure.put("client", i);
            secure.put("clients", k);
            secure.put("threshold", threshold);
            try {
                sessions.get(ids.get(i)).channel().send(first);
            } catch (FederatedException e) {
                fail(i, e.getMessage());
            }
        }
        try {
            collect(server, "AdvertiseKeys");
            byte[] keys = SecAggCodec.encode(server.finishAdvertising());
            for (int c : server.pending()) {
                send(c, keys);
            }
            collect(server, "ShareKeys");
            for (Map.Entry<Integer, SecAggMessage.SharesDelivered> d : server.finishSharing().entrySet()) {
                send(d.getKey(), SecAggCodec.encode(d.getValue()));
            }
            collect(server, "MaskedInput");
            byte[] request = SecAggCodec.encode(server.finishMasking());
            for (int c : server.pending()) {
                send(c, request);
            }
            collect(server, "UnmaskResponse");
            AggregationResult r = server.finishUnmasking();
            for (int c : r.dropped()) {
                excluded.putIfAbsent(ids.get(c), "dropped out of secure aggregation");
            }
            r.excluded().forEach((c, why) -> excluded.putIfAbsent(ids.get(c), why));
            List<String> aggregated = new ArrayList<>();
            for (int c : r.included()) {
                aggregated.add(ids.get(c));
                excluded.remove(ids.get(c));
            }
            long[] sum = r.sum();
            return new Coordinator.Aggregate(Arrays.copyOf(sum, parameters), sum[parameters], aggregated, excluded);
        } catch (SecAggException e) {
            throw new FederatedException(round + ": " + e.getMessage() + "; excluded: " + excluded, e);
        }
    }

    private void send(int c, byte[] body) {
        try {
            sessions.get(ids.get(c)).channel().send(new Message(MessageType.SECURE, null, body));
        } catch (FederatedException e) {
            fail(c, e.getMessage());
        }
    }

    /** One message from every client the server awaits, handed to it in client order; failures exclude their client. */
    private void collect(SecAggServer server, String what) throws InterruptedException {
        Map<Integer, Future<SecAggMessage>> pending = new LinkedHashMap<>();
        for (int c : server.pending()) {
            if (!excluded.containsKey(ids.get(c))) {
                pending.put(c, threads.submit(() -> read(c, what)));
            }
        }
        for (Map.Entry<Integer, Future<SecAggMessage>> p : pending.entrySet()) {
            int c = p.getKey();
            try {
                SecAggMessage m = p.getValue().get(Math.max(0, deadline - System.nanoTime()) + 2_000_000_000L,
                        TimeUnit.NANOSECONDS);
                if (!(m instanceof SecAggMessage.ClientMessage cm) || cm.client() != c) {
                    fail(c, "secure aggregation message " + m.getClass().getSimpleName() + " (expected: " + what
                            + " of client " + c + ")");
                    continue;
                }
                Receipt receipt = server.receive(cm);
                if (!receipt.accepted()) {
                    fail(c, receipt.reason());
                }
            } catch (TimeoutException e) {
                p.getValue().cancel(true);
                fail(c, "no " + what + " of " + round + " within the round's deadline");
            } catch (ExecutionException e) {
                fail(c, e.getCause().getMessage());
            }
        }
    }

    private SecAggMessage read(int c, String what) {
        Message m = sessions.get(ids.get(c)).channel().receive(deadline, "secure aggregation " + what + " of "
                + round, maxBody);
        if (m.type() == MessageType.UPDATE && m.header().has("refused")) {
            throw new FederatedException("the client refused to send its update: " + m.header().path("refused").asText());
        }
        if (m.type() != MessageType.SECURE) {
            throw new FederatedException("message " + m.type() + " (expected: SECURE, " + what + " of " + round + ")");
        }
        try {
            return SecAggCodec.decode(m.body());
        } catch (IllegalArgumentException e) {
            throw new FederatedException("malformed secure aggregation message: " + e.getMessage(), e);
        }
    }

    /** Excludes client {@code c} (the coordinator drops its connection after the round) and closes it now. */
    private void fail(int c, String reason) {
        String id = ids.get(c);
        if (excluded.putIfAbsent(id, reason) == null) {
            sessions.get(id).channel().close();
        }
    }
}
