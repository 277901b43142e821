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
import io.ringfold.train.Hyperparameter;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.TrainingConfig;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;

/**
 * FedAvg's cost per round with N simulated clients (bench/federated/fedavg.sh): a coordinator and N client
 * threads in this JVM over loopback TCP, every client in every round (K = N), each holding an equal label-skewed
 * share (2 labels) of the first ROWS_PER_CLIENT x N training rows of DATA. The model is an MLP with one hidden
 * layer of HIDDEN units, 1 local epoch, batch 32. Per round: wall seconds (local training of every client,
 * which share this machine's cores, plus transfer and the exact aggregation), bytes sent and received by the
 * coordinator; medians over ROUNDS rounds after one warm-up round. With {@code secure}, the same rounds under
 * secure aggregation. Prints one JSON line per configuration.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ringfold-bench/target/benchmarks.jar io.ringfold.bench.FedAvgRoundRun CLIENTS,... DATA HIDDEN ROWS_PER_CLIENT ROUNDS [secure]
 * </pre>
 */
public final class FedAvgRoundRun {

    private FedAvgRoundRun() {
    }

    public static void main(String[] args) throws Exception {
        int[] sizes = Arrays.stream(args[0].split(",")).mapToInt(Integer::parseInt).toArray();
        DataSpec spec = DataSpec.parse(args[1]);
        int hidden = Integer.parseInt(args[2]);
        int rowsPerClient = Integer.parseInt(args[3]);
        int rounds = Integer.parseInt(args[4]);
        boolean secure = args.length > 5 && args[5].equals("secure");
        Dataset all = spec.load().train();
        for (int n : sizes) {
            int rows = Math.min(all.size(), rowsPerClient * n);
            int[] first = new int[rows];
            for (int i = 0; i < rows; i++) {
                first[i] = i;
            }
            Dataset data = all.subset(first);
            List<Dataset> parts = new ArrayList<>();
            for (int[] p : NonIidSplit.rows(data.labels(), n, 2, 1)) {
                parts.add(data.subset(p));
            }
            List<RoundRecord> records = run(parts, hidden, rounds + 1, secure);
            List<RoundRecord> measured = records.subList(1, records.size());
            double seconds = median(measured.stream().mapToDouble(RoundRecord::seconds).toArray());
            double sent = median(measured.stream().mapToDouble(RoundRecord::bytesSent).toArray());
            double received = median(measured.stream().mapToDouble(RoundRecord::bytesReceived).toArray());
            System.out.println(String.format(Locale.ROOT, "{\"clients\":%d,\"secure_aggregation\":%b,\"data\":\"%s\","
                            + "\"hidden\":%d,\"rows\":%d,\"rounds\":%d,\"round_seconds\":%.3f,\"bytes_sent\":%.0f,"
                            + "\"bytes_received\":%.0f,\"bytes_per_client\":%.0f,\"cpus\":%d}", n, secure, args[1], hidden,
                    rows, measured.size(), seconds, sent, received, (sent + received) / n,
                    Runtime.getRuntime().availableProcessors()));
        }
    }

    private static List<RoundRecord> run(List<Dataset> parts, int hidden, int rounds, boolean secure) throws Exception {
        Map<Hyperparameter<?>, Object> v = new LinkedHashMap<>();
        v.put(Hyperparameters.HIDDEN, new int[] {hidden});
        v.put(Hyperparameters.BATCH_SIZE, 32);
        v.put(Hyperparameters.SEED, 1L);
        v.put(Hyperparameters.STANDARDIZE, false);
        int n = parts.size();
        Path checkpoints = Files.createTempDirectory("fedavg-bench");
        CoordinatorOptions o = new CoordinatorOptions(TrainingConfig.of(v), 10, rounds, n, n, n, 1, Aggregation.FEDAVG, 0f,
                Duration.ofMinutes(30), Duration.ofMinutes(5), checkpoints, false, null, secure);
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fedavg-bench");
            t.setDaemon(true);
            return t;
        });
        try (ServerSocket server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress())) {
            Future<Coordinator.Result> c = threads.submit(() -> new Coordinator(o, server, t -> true, line -> {
            }).run());
            List<Future<Integer>> clients = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ClientOptions co = new ClientOptions("127.0.0.1", server.getLocalPort(), "c" + i, null,
                        Duration.ofMinutes(1), Duration.ofMinutes(30));
                Dataset d = parts.get(i);
                clients.add(threads.submit(() -> new FederatedClient(co, d, SocketFactory.getDefault(), line -> {
                }).run()));
            }
            try {
                return c.get(2, TimeUnit.HOURS).rounds();
            } catch (java.util.concurrent.ExecutionException e) {
                // The coordinator's reason names the clients; a client's own failure says why it left.
                for (Future<Integer> f : clients) {
                    if (f.isDone()) {
                        try {
                            f.get();
                        } catch (java.util.concurrent.ExecutionException ce) {
                            throw new IllegalStateException("a client failed: " + ce.getCause(), e);
                        }
                    }
                }
                throw e;
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
