package io.ringfold.bench;

import io.ringfold.data.DataSpec;
import io.ringfold.data.Dataset;
import io.ringfold.federated.Aggregation;
import io.ringfold.federated.ClientOptions;
import io.ringfold.federated.Coordinator;
import io.ringfold.federated.CoordinatorOptions;
import io.ringfold.federated.FederatedClient;
import io.ringfold.federated.NonIidSplit;
import io.ringfold.federated.RoundRecord;
import io.ringfold.federated.privacy.ClientDpSettings;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.train.Hyperparameter;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.TrainingConfig;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Test accuracy of client-level DP-FedAvg against plain FedAvg on the label-skewed split of Fashion-MNIST
 * (bench/federated/clientdp.sh): all 60,000 training rows over CLIENTS simulated clients (threads in this JVM
 * over loopback TCP) holding 2 labels each, an MLP with HIDDEN units (0: softmax regression), 1 local epoch of SGD at LR, batch 32,
 * pixels divided by 255 (a public constant, not a statistic of the clients' data), the t10k test set evaluated by
 * the coordinator after every round. The private run samples clients by Poisson at q = PER_ROUND / CLIENTS,
 * clips updates to CLIP and takes the least noise for EPSILON at DELTA over ROUNDS; the plain run samples
 * PER_ROUND clients a round and weights by examples. Prints one JSON line per run.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ringfold-bench/target/benchmarks.jar io.ringfold.bench.ClientDpAccuracyRun CLIENTS PER_ROUND ROUNDS HIDDEN LR CLIP EPSILON DELTA [plain]
 * </pre>
 */
public final class ClientDpAccuracyRun {

    private ClientDpAccuracyRun() {
    }

    public static void main(String[] args) throws Exception {
        int clients = Integer.parseInt(args[0]);
        int perRound = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int hidden = Integer.parseInt(args[3]);
        float lr = Float.parseFloat(args[4]);
        double clip = Double.parseDouble(args[5]);
        double epsilon = Double.parseDouble(args[6]);
        double delta = Double.parseDouble(args[7]);
        boolean withPlain = args.length > 8 && args[8].equals("plain");
        DataSpec.LoadedData loaded = DataSpec.parse("fashion-mnist").load();
        Dataset train = scaled(loaded.train());
        Dataset test = scaled(loaded.test().orElseThrow());
        List<Dataset> parts = new ArrayList<>();
        for (int[] p : NonIidSplit.rows(train.labels(), clients, 2, 1)) {
            parts.add(train.subset(p));
        }
        Map<Hyperparameter<?>, Object> v = new LinkedHashMap<>();
        if (hidden > 0) {
            v.put(Hyperparameters.HIDDEN, new int[] {hidden});
        } else {
            // Softmax regression, trained by local SGD steps: fewer parameters, so less noise in all.
            v.put(Hyperparameters.MODEL, io.ringfold.model.ModelType.SOFTMAX);
            v.put(Hyperparameters.SOLVER, io.ringfold.train.SolverKind.SGD);
        }
        v.put(Hyperparameters.OPTIMIZER, io.ringfold.train.OptimizerKind.SGD);
        v.put(Hyperparameters.LEARNING_RATE, lr);
        v.put(Hyperparameters.BATCH_SIZE, 32);
        v.put(Hyperparameters.SEED, 1L);
        v.put(Hyperparameters.STANDARDIZE, false);
        TrainingConfig config = TrainingConfig.of(v);
        List<ClientDpSettings> runs = new ArrayList<>();
        if (withPlain) {
            runs.add(null);
        }
        runs.add(new ClientDpSettings(clip, 0, epsilon, delta, false));
        for (ClientDpSettings dp : runs) {
            CoordinatorOptions o = new CoordinatorOptions(config, 10, rounds, perRound, perRound, clients, 1,
                    Aggregation.FEDAVG, 0f, Duration.ofMinutes(30), Duration.ofMinutes(5),
                    Files.createTempDirectory("clientdp-bench"), false, test, false, dp);
            long t0 = System.nanoTime();
            Coordinator.Result r = run(o, parts);
            List<RoundRecord> log = r.rounds();
            StringBuilder acc = new StringBuilder();
            for (RoundRecord rr : log) {
                acc.append(acc.length() == 0 ? "" : ",").append(String.format(Locale.ROOT, "%.4f", rr.testAccuracy()));
            }
            var privacy = r.model().provenance().privacy();
            System.out.println(String.format(Locale.ROOT, "{\"private\":%b,\"clients\":%d,\"clients_per_round\":%d,"
                            + "\"rounds\":%d,\"hidden\":%d,\"lr\":%s,\"clip\":%s,\"noise_multiplier\":%s,\"epsilon\":%s,"
                            + "\"delta\":%s,\"final_test_accuracy\":%.4f,\"best_test_accuracy\":%.4f,\"seconds\":%.1f,"
                            + "\"accuracy_by_round\":[%s]}", dp != null, clients, perRound, rounds, hidden, lr,
                    dp == null ? "null" : clip, privacy == null ? "null" : privacy.get("noise_multiplier").asText(),
                    privacy == null ? "null" : privacy.get("epsilon").asText(), dp == null ? "null" : delta,
                    log.get(log.size() - 1).testAccuracy(),
                    log.stream().mapToDouble(RoundRecord::testAccuracy).max().orElse(Double.NaN),
                    (System.nanoTime() - t0) / 1e9, acc));
        }
    }

    /** Pixels 0..255 to 0..1: a public constant, so no client's data is pooled to fit it. */
    private static Dataset scaled(Dataset d) {
        FloatMatrix m = ((FloatMatrix) d.features()).copy();
        float[] x = m.data();
        for (int i = 0; i < x.length; i++) {
            x[i] /= 255f;
        }
        return Dataset.of(m, d.labels(), d.schema(), d.source() + " / 255").withExampleShape(d.exampleShape());
    }

    private static Coordinator.Result run(CoordinatorOptions o, List<Dataset> parts) throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "clientdp-bench");
            t.setDaemon(true);
            return t;
        });
        try (ServerSocket server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())) {
            Future<Coordinator.Result> c = threads.submit(() -> new Coordinator(o, server, t -> true,
                    line -> System.err.println(line)).run());
            for (int i = 0; i < parts.size(); i++) {
                ClientOptions co = new ClientOptions("127.0.0.1", server.getLocalPort(), String.format("c%03d", i),
                        null, Duration.ofMinutes(1), Duration.ofMinutes(30));
                Dataset d = parts.get(i);
                threads.submit(() -> new FederatedClient(co, d, javax.net.SocketFactory.getDefault(), line -> {
                }).run());
            }
            return c.get(2, TimeUnit.HOURS);
        } finally {
            threads.shutdownNow();
        }
    }
}
