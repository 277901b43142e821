package io.ringfold.federated;

import io.ringfold.data.DataSpec;
import io.ringfold.data.Dataset;
import io.ringfold.train.Hyperparameter;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.TrainingConfig;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;

/**
 * A coordinator and clients over real sockets on the loopback interface, in threads of the test's JVM: the digits
 * split so that each client holds two labels, a small MLP, few rounds.
 */
final class FederatedHarness implements AutoCloseable {

    static final long SPLIT_SEED = 20261207L;
    static final int CLIENTS = 10;

    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "federated-test");
        t.setDaemon(true);
        return t;
    });
    final ServerSocket server;

    FederatedHarness() throws Exception {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    int port() {
        return server.getLocalPort();
    }

    /** The digits, split over {@link #CLIENTS} clients holding two labels each. */
    static List<Dataset> digitsParts() {
        Dataset digits = new DataSpec.Digits().load().train();
        List<Dataset> parts = new ArrayList<>();
        for (int[] rows : NonIidSplit.rows(digits.labels(), CLIENTS, 2, SPLIT_SEED)) {
            parts.add(digits.subset(rows));
        }
        return parts;
    }

    /** The harness's model without standardisation: rogue clients in tests answer TASKs, not statistics. */
    static TrainingConfig config() {
        return config(false);
    }

    static TrainingConfig config(boolean standardize) {
        Map<Hyperparameter<?>, Object> v = new LinkedHashMap<>();
        v.put(Hyperparameters.HIDDEN, new int[] {16});
        v.put(Hyperparameters.BATCH_SIZE, 32);
        v.put(Hyperparameters.LEARNING_RATE, 0.01f);
        v.put(Hyperparameters.SEED, 7L);
        v.put(Hyperparameters.STANDARDIZE, standardize);
        return TrainingConfig.of(v);
    }

    static CoordinatorOptions options(Path checkpoints, int rounds, int perRound, int minClients, int available,
                                      boolean resume) {
        return options(checkpoints, rounds, perRound, minClients, available, resume, false);
    }

    static CoordinatorOptions options(Path checkpoints, int rounds, int perRound, int minClients, int available,
                                      boolean resume, boolean secure) {
        return options(checkpoints, rounds, perRound, minClients, available, resume, secure, false);
    }

    static CoordinatorOptions options(Path checkpoints, int rounds, int perRound, int minClients, int available,
                                      boolean resume, boolean secure, boolean standardize) {
        return new CoordinatorOptions(config(standardize), 10, rounds, perRound, minClients, available, 1, Aggregation.FEDAVG, 0f,
                Duration.ofSeconds(20), Duration.ofSeconds(20), checkpoints, resume, null, secure);
    }

    Future<Coordinator.Result> coordinator(CoordinatorOptions options, String token) {
        return threads.submit(() -> new Coordinator(options, server, t -> token == null || token.equals(t),
                line -> log.add("coordinator: " + line)).run());
    }

    Future<Integer> client(String id, Dataset data, String token) {
        ClientOptions o = new ClientOptions("127.0.0.1", port(), id, token, Duration.ofSeconds(10), Duration.ofSeconds(30));
        return threads.submit(() -> new FederatedClient(o, data, SocketFactory.getDefault(),
                line -> log.add(id + ": " + line)).run());
    }

    /** A run with every part as a client {@code site-i}; {@code log} (when given) receives the run's log. */
    static Coordinator.Result runAll(List<Dataset> parts, CoordinatorOptions o, List<String> log) throws Exception {
        try (FederatedHarness h = new FederatedHarness()) {
            Future<Coordinator.Result> c = h.coordinator(o, null);
            for (int i = 0; i < parts.size(); i++) {
                h.client("site-" + i, parts.get(i), null);
            }
            Coordinator.Result r = h.await(c);
            if (r.rounds().size() != o.rounds()) {
                throw new AssertionError(r.rounds().size() + " rounds (expected: " + o.rounds() + ")");
            }
            if (log != null) {
                log.addAll(h.log);
            }
            return r;
        }
    }

    /** The result within a deadline; the log is printed when it fails, so a failure can be read. */
    <T> T await(Future<T> f) throws Exception {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            synchronized (log) {
                log.forEach(System.out::println);
            }
            throw e;
        }
    }

    @Override
    public void close() throws Exception {
        threads.shutdownNow();
        server.close();
    }
}
