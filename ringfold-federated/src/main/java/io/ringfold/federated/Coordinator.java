package io.ringfold.federated;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.Preprocessor;
import io.ringfold.federated.exact.ExactSum;
import io.ringfold.federated.privacy.ClientDpPlan;
import io.ringfold.federated.privacy.ClientLevelPrivacy;
import io.ringfold.federated.privacy.PrivateRound;
import io.ringfold.federated.wire.FederatedException;
import io.ringfold.federated.wire.Message;
import io.ringfold.federated.wire.MessageType;
import io.ringfold.model.Model;
import io.ringfold.model.Provenance;
import io.ringfold.nn.Network;
import io.ringfold.nn.Shape;
import io.ringfold.tensor.Blas;
import io.ringfold.train.TrainingRun;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The server of federated training: waits for clients, and each round samples {@code K} of the connected ones
 * ({@link ClientSampler}), sends them the global parameters, collects their updates within the round's deadline,
 * excludes (with a logged reason) any that drops out, times out or sends something unusable, and applies the
 * exact weighted mean of the others' deltas ({@link ExactSum}) when at least {@code minClients} reported.
 * Every finished round is checkpointed ({@link RoundCheckpoint}); the result is a {@link Model} whose preprocessing
 * is the run's standardisation ({@link StatisticsRound}, before round 1, unless the configuration says
 * {@code --no-standardize}), else the identity over the clients' columns.
 *
 * <p>The coordinator sees each client's id, its data description ({@link DataDescription}), the totals of the
 * clients' per-feature statistics and, without secure aggregation, each client's statistics and update; it never
 * sees a row or a label.
 *
 * <p>With client-level differential privacy ({@link ClientDpPlan}) a round samples clients by Poisson sampling,
 * each update is clipped and noised ({@link PrivateRound}: here, or by the clients under secure aggregation), the
 * mean has a fixed denominator, and ε is reported after every round.
 */
public final class Coordinator {

    /** What a run produced: the model and the record of every round (resumed ones included). */
    public record Result(Model model, List<RoundRecord> rounds, int clientsSeen) {
    }

    private final CoordinatorOptions options;
    private final ServerSocket server;
    private final Predicate<String> tokenCheck;
    private final Consumer<String> log;
    private final Blas blas = Blas.get();
    private final java.util.Set<String> seen = java.util.Collections.synchronizedSet(new java.util.TreeSet<>());
    /** Client-level differential privacy, or null. */
    private final ClientDpPlan dp;
    /** The current round's privacy (set before its TASKs go out), or null. */
    private volatile PrivateRound privateRound;

    /** Fixed by the first admitted client, or by the checkpoint. */
    private volatile DataDescription description;
    private volatile int classes;
    /** Fitted by the statistics round or read from the checkpoint directory; null without standardisation. */
    private volatile FederatedStandardisation standardisation;

    /**
     * @param server     the listening socket (plain or TLS); the coordinator closes it when the run ends
     * @param tokenCheck whether a client's token is the run's ({@code t -> true} for a run without one)
     * @param log        where every line of the run's log goes
     */
    public Coordinator(CoordinatorOptions options, ServerSocket server, Predicate<String> tokenCheck,
                       Consumer<String> log) {
        this.options = options;
        this.server = server;
        this.tokenCheck = tokenCheck;
        this.log = log;
        this.dp = options.clientDpPlan();
    }

    public Result run() throws IOException, InterruptedException {
        RoundCheckpoint checkpoint = options.resume() ? RoundCheckpoint.load(options.checkpointDir()).orElse(null) : null;
        if (checkpoint != null) {
            String why = checkpoint.mismatch(options);
            if (why != null) {
                throw new IllegalArgumentException("--resume: checkpoint in " + options.checkpointDir() + ": " + why);
            }
            String dpWhy = ClientDpPlan.resumeMismatch(options.checkpointDir(), dp);
            if (dpWhy != null) {
                throw new IllegalArgumentException("--resume: checkpoint in " + options.checkpointDir() + ": " + dpWhy);
            }
            description = checkpoint.description();
            classes = checkpoint.classes();
            log.accept("resuming after round " + checkpoint.round() + " from " + options.checkpointDir()
                    .resolve(RoundCheckpoint.FILE_NAME));
        }
        standardisation = FederatedStandardisation.resumed(options, checkpoint != null);
        if (standardisation != null) {
            log.accept("standardisation of " + standardisation.rows() + " rows read from " + options.checkpointDir()
                    .resolve(FederatedStandardisation.FILE_NAME) + " (not asked again)");
        }
        ClientDpPlan.record(options.checkpointDir(), dp);
        if (dp != null) {
            log.accept(dp.describe());
        }
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "federated-coordinator");
            t.setDaemon(true);
            return t;
        });
        List<RoundRecord> history = new ArrayList<>(checkpoint == null ? List.of() : checkpoint.history());
        history.forEach(r -> seen.addAll(r.aggregated()));
        try (ClientRegistry registry = new ClientRegistry(server, tokenCheck, this::admission, this::welcome, log,
                threads)) {
            log.accept("coordinator listening on " + server.getLocalSocketAddress() + ": " + options.rounds()
                    + " rounds, " + options.clientsPerRound() + " clients per round " + (dp == null ? "(at least "
                    + options.minClients() + ")" : "expected (Poisson sampling)") + ", " + options.aggregation().id() + (options.proximalMu() > 0 ? " mu " + options.proximalMu() : "")
                    + ", " + options.localEpochs() + " local epoch(s), seed " + options.config().seed());
            if (standardisation == null && options.config().standardize()) {
                standardisation = new StatisticsRound(options, log, threads).run(registry, () -> description);
                standardisation.save(options.checkpointDir());
            }
            float[] global = checkpoint == null ? null : checkpoint.parameters();
            for (int round = history.size() + 1; round <= options.rounds(); round++) {
                long t0 = System.nanoTime();
                SortedSet<String> connected = registry.awaitClients(options.minAvailable(),
                        t0 + options.joinTimeout().toNanos());
                if (connected.size() < options.minAvailable()) {
                    log.accept("round " + round + ": " + connected.size() + " client(s) connected within "
                            + options.joinTimeout().toSeconds() + " s (expected: --min-available-clients "
                            + options.minAvailable() + "); sampling from those");
                }
                if (connected.size() < options.minClients()) {
                    throw new FederatedException("round " + round + ": " + connected.size() + " client(s) connected "
                            + connected + " within " + options.joinTimeout().toSeconds() + " s (expected: at least "
                            + "--min-clients " + options.minClients() + ")");
                }
                if (global == null) {
                    global = network().initialParameters(options.config().seed());
                }
                List<String> sampled = dp == null ? ClientSampler.sample(connected, options.clientsPerRound(),
                        options.config().seed(), round)
                        : ClientLevelPrivacy.sample(connected, dp.samplingRate(), options.config().seed(), round);
                log.accept("round " + round + "/" + options.rounds() + ": sampled " + sampled + " of " + connected.size()
                        + " connected (seed " + options.config().seed() + ")");
                RoundRecord record = runRound(registry, threads, round, sampled, global, t0);
                history.add(record);
                log.accept(record.describe(options.rounds()));
                new RoundCheckpoint(round, options.config(), options.aggregation().id(), options.proximalMu(),
                        options.localEpochs(), description, classes, global, history).save(options.checkpointDir());
            }
            ObjectNode done = Message.newHeader();
            done.put("rounds", options.rounds());
            registry.finish(done);
            Model model = model(global, history);
            log.accept("done: " + options.rounds() + " rounds, " + seen.size() + " clients took part, parameter_digest "
                    + model.parameterDigest());
            return new Result(model, history, seen.size());
        } finally {
            threads.shutdownNow();
        }
    }

    /** What a round gathered: the exact sum, its examples, the clients in it and those excluded with the reason. */
    record Aggregate(long[] sum, long examples, List<String> aggregated, Map<String, String> excluded) {
    }

    /** Sends the task to every sampled client, collects their updates (plain or secure), applies the exact mean. */
    private RoundRecord runRound(ClientRegistry registry, ExecutorService threads, int round, List<String> sampled,
                                 float[] global, long t0) throws InterruptedException {
        long deadline = t0 + options.roundTimeout().toNanos();
        PrivateRound pr = dp == null ? null : new PrivateRound(dp, options.config().seed(), round, sampled);
        privateRound = pr;
        int e = pr != null ? pr.exponent() : ExactSum.exponent(sampled.stream().mapToLong(id -> rows(registry, id))
                .max().orElse(1), sampled.size());
        Map<String, ClientRegistry.Session> present = new LinkedHashMap<>();
        Map<String, String> missing = new LinkedHashMap<>();
        for (String id : sampled) {
            ClientRegistry.Session s = registry.get(id);
            if (s == null) {
                missing.put(id, "disconnected before the round started");
            } else {
                present.put(id, s);
            }
        }
        Map<String, long[]> before = new LinkedHashMap<>();
        present.forEach((id, s) -> before.put(id, new long[] {s.channel().bytesWritten(), s.channel().bytesRead()}));
        // A private round of one client under secure aggregation is run in the clear: the client privatises its update
        // (its noise share is then the whole noise), which is all a "sum" of one would reveal.
        Aggregate a = options.secure() && (pr == null || present.size() >= 2)
                ? new SecureRound(round, "round " + round, present, global.length,
                        id -> Message.withFloats(MessageType.TASK, task(id, round, e), global), deadline, threads).run()
                : plainRound(threads, round, present, global, e, deadline);
        Map<String, String> excluded = new LinkedHashMap<>(missing);
        excluded.putAll(a.excluded());
        long sent = 0;
        long received = 0;
        for (Map.Entry<String, ClientRegistry.Session> p : present.entrySet()) {
            sent += p.getValue().channel().bytesWritten() - before.get(p.getKey())[0];
            received += p.getValue().channel().bytesRead() - before.get(p.getKey())[1];
        }
        for (Map.Entry<String, String> x : a.excluded().entrySet()) {
            log.accept("round " + round + ": client " + x.getKey() + " excluded: " + x.getValue());
            registry.drop(x.getKey());
        }
        if (pr != null) {
            pr.addMissingNoise(a.sum(), a.aggregated());
        } else if (a.aggregated().size() < options.minClients()) {
            throw new FederatedException("round " + round + ": " + a.aggregated().size() + " update(s) usable of "
                    + sampled.size() + " sampled (expected: at least --min-clients " + options.minClients()
                    + "); excluded: " + excluded);
        }
        seen.addAll(a.aggregated());
        ExactSum.apply(global, a.sum(), pr == null ? a.examples() : pr.denominator(), e);
        double accuracy = options.test() == null ? Double.NaN : TrainingRun.evaluate(model(global, List.of()), blas,
                options.test()).path("accuracy").asDouble(Double.NaN);
        RoundRecord record = new RoundRecord(round, sampled, a.aggregated(), excluded, a.examples(),
                (System.nanoTime() - t0) / 1e9, sent, received, accuracy);
        return dp == null ? record : record.withDpEpsilon(dp.epsilon(round));
    }

    /** Each client's float delta in the clear, checked here, and summed exactly in arrival-independent int64. */
    private Aggregate plainRound(ExecutorService threads, int round, Map<String, ClientRegistry.Session> present,
                                 float[] global, int e, long deadline) throws InterruptedException {
        Map<String, Future<Update>> pending = new LinkedHashMap<>();
        present.forEach((id, s) -> pending.put(id, threads.submit(() -> exchange(s, round, global, e, deadline))));
        long[] sum = new long[global.length];
        long examples = 0;
        List<String> aggregated = new ArrayList<>();
        Map<String, String> excluded = new LinkedHashMap<>();
        for (Map.Entry<String, Future<Update>> p : pending.entrySet()) {
            try {
                // The exchange's own reads end by the deadline; the grace covers a send blocked on a full socket.
                Update u = p.getValue().get(Math.max(0, deadline - System.nanoTime()) + 2_000_000_000L,
                        TimeUnit.NANOSECONDS);
                ExactSum.add(sum, u.contribution());
                examples += u.examples();
                aggregated.add(p.getKey());
            } catch (TimeoutException ex) {
                p.getValue().cancel(true);
                excluded.put(p.getKey(), "no UPDATE of round " + round + " within " + options.roundTimeout().toSeconds()
                        + " s");
            } catch (ExecutionException ex) {
                excluded.put(p.getKey(), ex.getCause().getMessage());
            }
        }
        return new Aggregate(sum, examples, aggregated, excluded);
    }

    private static long rows(ClientRegistry registry, String id) {
        ClientRegistry.Session s = registry.get(id);
        return s == null ? 1 : s.description().rows();
    }

    /** A checked update: its examples and its share of the exact sum. */
    private record Update(long examples, long[] contribution) {
    }

    /** One client's round: TASK out, UPDATE back, checked. Failures are the exclusion's reason. */
    private Update exchange(ClientRegistry.Session s, int round, float[] global, int e, long deadline) {
        s.channel().send(Message.withFloats(MessageType.TASK, task(s.id(), round, e), global));
        Message m = s.channel().receive(deadline, "UPDATE of round " + round, (long) global.length * Float.BYTES);
        if (m.type() != MessageType.UPDATE) {
            throw new FederatedException("message " + m.type() + " (expected: UPDATE of round " + round + ")");
        }
        int r = m.header().path("round").asInt(-1);
        if (r != round) {
            throw new FederatedException("update of round " + m.header().get("round") + " (expected: " + round + ")");
        }
        if (m.header().has("refused")) {
            throw new FederatedException("the client refused to send its update: " + m.header().path("refused").asText());
        }
        long examples = m.header().path("examples").asLong(-1);
        if (examples <= 0 || examples > s.description().rows()) {
            throw new FederatedException("examples: " + m.header().get("examples") + " (expected: 1.."
                    + s.description().rows() + ", the rows it declared)");
        }
        if (m.body().length != global.length * Float.BYTES) {
            throw new FederatedException("update of " + m.body().length + " bytes (expected: " + global.length
                    + " float32 parameters, " + global.length * Float.BYTES + " bytes)");
        }
        float[] delta = m.floats();
        String why = ExactSum.refusal(delta);
        if (why != null) {
            throw new FederatedException(why);
        }
        PrivateRound pr = privateRound;
        return new Update(examples, pr == null ? ExactSum.contribution(delta, examples, e)
                : pr.contribution(s.id(), delta, options.secure()));
    }

    /** The TASK header: the round, the sum's scale exponent, the client's local seed. */
    ObjectNode task(String id, int round, int e) {
        ObjectNode task = Message.newHeader();
        task.put("round", round);
        task.put("exponent", e);
        task.put("local_seed", ClientSampler.localSeed(options.config().seed(), id, round));
        if (standardisation != null) {
            standardisation.addTo(task);
        }
        PrivateRound pr = privateRound;
        if (pr != null && options.secure()) {
            // Under secure aggregation the clients clip and noise their own updates: the coordinator never sees one.
            task.set("client_dp", pr.task(id).toJson());
        }
        return task;
    }

    /** Why a client with {@code d} cannot join, or null; the first admitted client fixes the run's description. */
    private synchronized String admission(DataDescription d) {
        if (description == null) {
            int c = TrainingRun.isRegression(options.config()) ? 0 : options.classes() > 0 ? options.classes()
                    : d.classNames().size();
            if (!TrainingRun.isRegression(options.config()) && c < 2) {
                return "the coordinator has no --classes and the client's data name no classes (expected: "
                        + "--classes N on the coordinator for a classifier)";
            }
            if (options.classes() > 0 && !d.classNames().isEmpty() && d.classNames().size() != options.classes()) {
                return "data with " + d.classNames().size() + " class names (expected: --classes " + options.classes() + ")";
            }
            try {
                TrainingRun.network(options.config(), Shape.of(d.exampleShape()), Math.max(c, 2));
            } catch (IllegalArgumentException e) {
                return "the model does not fit the data: " + e.getMessage();
            }
            classes = c;
            description = d;
            return null;
        }
        return description.mismatch(d);
    }

    /** The WELCOME header: everything a client needs to build the network and train locally. */
    private ObjectNode welcome(DataDescription d) {
        ObjectNode h = Message.newHeader();
        h.set("config", options.config().toJson());
        h.put("classes", classes);
        h.put("local_epochs", options.localEpochs());
        h.put("proximal_mu", options.proximalMu());
        h.put("rounds", options.rounds());
        return h;
    }

    private Network network() {
        return TrainingRun.network(options.config(), Shape.of(description.exampleShape()), Math.max(classes, 2));
    }

    private Model model(float[] global, List<RoundRecord> history) {
        String source = "federated: " + options.rounds() + " rounds of " + options.clientsPerRound() + " sampled clients ("
                + seen.size() + " took part), " + options.aggregation().id() + ", seed " + options.config().seed()
                + (standardisation == null ? "" : ", standardised by the totals of " + standardisation.rows() + " rows");
        Provenance p = Provenance.capture(options.config().toJson(), options.config().seed(), source,
                "federated:" + history.size() + "-rounds", blas.name());
        if (dp != null) {
            p = p.withPrivacy(dp.toJson(history.size()));
        }
        Preprocessor preprocessor = standardisation == null ? Preprocessor.identity(description.features())
                : standardisation.preprocessor();
        return new Model(network(), global.clone(), preprocessor, description.classNames(), p);
    }
}
