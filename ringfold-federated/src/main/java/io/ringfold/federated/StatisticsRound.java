package io.ringfold.federated;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.Preprocessor;
import io.ringfold.federated.exact.ExactSum;
import io.ringfold.federated.wire.FederatedException;
import io.ringfold.federated.wire.Message;
import io.ringfold.federated.wire.MessageType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The coordinator's standardisation round, before round 1 (federated analytics, as a Flower or TFF user computes
 * feature statistics): every connected client sends the exact per-feature sum and sum of squares of its rows and
 * its row count ({@link ExactMoments}); the coordinator adds them exactly, in the clear or under secure aggregation
 * (then it learns only the totals), and turns the totals into the core's standardisation, the one
 * {@code Preprocessor.fit} gives the pooled rows (constant columns scaled by 1 and kept). A client that sends
 * statistics of the wrong length, of other than the rows it declared, or not normalised (the limbs' form of a
 * non-finite value: no float has such a sum) is excluded with the reason, as a bad update is; at least
 * {@code --min-clients} must contribute.
 */
final class StatisticsRound {

    /** Secure aggregation's session for the statistics; rounds are sessions 1..R. */
    static final long SESSION = 0;
    private static final String NAME = "statistics round";

    private final CoordinatorOptions options;
    private final Consumer<String> log;
    private final ExecutorService threads;

    StatisticsRound(CoordinatorOptions options, Consumer<String> log, ExecutorService threads) {
        this.options = options;
        this.log = log;
        this.threads = threads;
    }

    /**
     * Waits (up to the join timeout) for {@code --min-available-clients}, asks every connected client, and returns
     * the standardisation of the totals.
     *
     * @param description the run's data description, fixed once a client is admitted (read after the wait)
     */
    FederatedStandardisation run(ClientRegistry registry, java.util.function.Supplier<DataDescription> description)
            throws InterruptedException {
        long t0 = System.nanoTime();
        SortedSet<String> connected = registry.awaitClients(options.minAvailable(), t0 + options.joinTimeout().toNanos());
        if (connected.size() < options.minClients()) {
            throw new FederatedException(NAME + ": " + connected.size() + " client(s) connected " + connected + " within "
                    + options.joinTimeout().toSeconds() + " s (expected: at least --min-clients " + options.minClients()
                    + ")");
        }
        List<String> features = description.get().features();
        Map<String, ClientRegistry.Session> present = new LinkedHashMap<>();
        for (String id : connected) {
            ClientRegistry.Session s = registry.get(id);
            if (s != null) {
                present.put(id, s);
            }
        }
        log.accept(NAME + ": asking " + present.keySet() + " for the count, sum and sum of squares of each of "
                + features.size() + " features" + (options.secure() ? " under secure aggregation" : ""));
        long deadline = t0 + options.roundTimeout().toNanos();
        int length = ExactMoments.length(features.size());
        Coordinator.Aggregate a = options.secure()
                ? new SecureRound(SESSION, NAME, present, length - 1, id -> Message.of(MessageType.STATISTICS, request()),
                        deadline, threads).run()
                : plain(present, features.size(), deadline);
        for (Map.Entry<String, String> x : a.excluded().entrySet()) {
            log.accept(NAME + ": client " + x.getKey() + " excluded: " + x.getValue());
            registry.drop(x.getKey());
        }
        if (a.aggregated().size() < options.minClients()) {
            throw new FederatedException(NAME + ": " + a.aggregated().size() + " client(s) sent usable statistics of "
                    + present.size() + " asked (expected: at least --min-clients " + options.minClients()
                    + "); excluded: " + a.excluded());
        }
        long declared = 0;
        for (String id : a.aggregated()) {
            declared += present.get(id).description().rows();
        }
        if (a.examples() != declared) {
            throw new FederatedException(NAME + ": the totals count " + a.examples() + " rows (expected: " + declared
                    + ", the rows clients " + a.aggregated() + " declared; a client sent garbage)");
        }
        Preprocessor p = ExactMoments.standardisation(a.sum(), features, a.examples());
        int constant = 0;
        for (float s : p.scale()) {
            constant += s == 1f ? 1 : 0;
        }
        log.accept(String.format(java.util.Locale.ROOT, "%s: totals of %d rows from %d clients %s in %.2f s: "
                        + "standardising %d features (%d with standard deviation 0 or 1, scaled by 1)", NAME,
                a.examples(), a.aggregated().size(), a.aggregated(), (System.nanoTime() - t0) / 1e9, features.size(),
                constant));
        return new FederatedStandardisation(p, a.examples(), a.aggregated());
    }

    private static ObjectNode request() {
        ObjectNode h = Message.newHeader();
        h.put("statistics", "moments");
        return h;
    }

    /** Each client's statistics in the clear, checked, added exactly. */
    private Coordinator.Aggregate plain(Map<String, ClientRegistry.Session> present, int features, long deadline)
            throws InterruptedException {
        Map<String, Future<long[]>> pending = new LinkedHashMap<>();
        present.forEach((id, s) -> pending.put(id, threads.submit(() -> exchange(s, features, deadline))));
        long[] sum = new long[ExactMoments.length(features)];
        List<String> aggregated = new ArrayList<>();
        Map<String, String> excluded = new LinkedHashMap<>();
        for (Map.Entry<String, Future<long[]>> p : pending.entrySet()) {
            try {
                // The exchange's reads end by the deadline; the grace covers a send blocked on a full socket.
                ExactSum.add(sum, p.getValue().get(Math.max(0, deadline - System.nanoTime()) + 2_000_000_000L,
                        TimeUnit.NANOSECONDS));
                aggregated.add(p.getKey());
            } catch (TimeoutException ex) {
                p.getValue().cancel(true);
                excluded.put(p.getKey(), "no STATISTICS within " + options.roundTimeout().toSeconds() + " s");
            } catch (ExecutionException ex) {
                excluded.put(p.getKey(), ex.getCause().getMessage());
            }
        }
        long rows = sum[sum.length - 1];
        return new Coordinator.Aggregate(java.util.Arrays.copyOf(sum, sum.length - 1), rows, aggregated, excluded);
    }

    /** One client's request and reply, checked; failures are the exclusion's reason. */
    private static long[] exchange(ClientRegistry.Session s, int features, long deadline) {
        s.channel().send(Message.of(MessageType.STATISTICS, request()));
        long bytes = (long) ExactMoments.length(features) * Long.BYTES;
        Message m = s.channel().receive(deadline, "STATISTICS", bytes);
        if (m.type() != MessageType.STATISTICS) {
            throw new FederatedException("message " + m.type() + " (expected: STATISTICS)");
        }
        if (m.body().length % Long.BYTES != 0) {
            throw new FederatedException("statistics of " + m.body().length + " bytes (expected: " + bytes
                    + ", int64 limbs)");
        }
        long[] v = m.longs();
        String why = ExactMoments.refusal(v, features, s.description().rows());
        if (why != null) {
            throw new FederatedException(why);
        }
        return v;
    }
}
