package io.ringfold.bench;

import io.ringfold.collective.secagg.AggregationResult;
import io.ringfold.collective.secagg.FixedPointEncoding;
import io.ringfold.collective.secagg.SecAggClient;
import io.ringfold.collective.secagg.SecAggCodec;
import io.ringfold.collective.secagg.SecAggMessage;
import io.ringfold.collective.secagg.SecAggMessage.ClientMessage;
import io.ringfold.collective.secagg.SecAggMessage.KeysAdvertised;
import io.ringfold.collective.secagg.SecAggMessage.MaskedInput;
import io.ringfold.collective.secagg.SecAggMessage.SharesDelivered;
import io.ringfold.collective.secagg.SecAggMessage.UnmaskRequest;
import io.ringfold.collective.secagg.SecAggParameters;
import io.ringfold.collective.secagg.SecAggServer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Secure aggregation's cost per round against plain summation (bench/federated/secagg.sh): N simulated
 * clients in this one thread, each with a vector of LENGTH float32 parameters encoded in fixed point, every
 * message through {@link SecAggCodec} as a transport would carry it. Secure aggregation runs the four rounds
 * (a fraction DROPOUT of the clients leaves after sharing keys, so the server reconstructs their mask keys);
 * the peer, plain summation, has each client send its int64 vector in the same encoding and the server add
 * them. Times are the thread's CPU times in the calls (encoding and decoding included): per client the
 * mean over clients of the time in its own calls (clients run in parallel in a real round, so this is the
 * round's client-side latency), and the server's total. Bytes are the encoded messages: per client up
 * (client to server) and down (server to client), and the server's total. Each figure is the median over
 * ROUNDS rounds after two warm-up rounds (the first rounds run partly interpreted). Prints one JSON line per
 * configuration, then a Markdown table.
 *
 * <pre>
 * java -cp ringfold-bench/target/benchmarks.jar io.ringfold.bench.SecAggRun [CLIENTS,... [LENGTH [ROUNDS [DROPOUT]]]]
 * </pre>
 * Defaults: 10,100 clients, 100,000 parameters, 5 rounds, dropout 0.
 */
public final class SecAggRun {

    /** One round's figures. */
    record Round(double clientMs, double serverMs, double upBytes, double downBytes, long totalBytes) {
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private SecAggRun() {
    }

    public static void main(String[] args) {
        int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "10,100").split(",")).mapToInt(Integer::parseInt).toArray();
        int length = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        double dropout = args.length > 3 ? Double.parseDouble(args[3]) : 0;
        if (rounds < 1 || length < 1 || !(dropout >= 0 && dropout < 0.5)) {
            throw new IllegalArgumentException("rounds: " + rounds + ", length: " + length + ", dropout: " + dropout
                    + " (expected: rounds >= 1, length >= 1, 0 <= dropout < 0.5)");
        }
        List<String> table = new ArrayList<>();
        for (int n : sizes) {
            Round[] secure = new Round[rounds];
            Round[] plain = new Round[rounds];
            for (int r = -2; r < rounds; r++) {
                float[][] updates = updates(n, length, 1000L * n + r);
                Round s = secureRound(n, length, dropout, updates, r + 2L);
                Round p = plainRound(n, length, updates, r + 2L);
                if (r >= 0) {
                    secure[r] = s;
                    plain[r] = p;
                }
            }
            Round s = median(secure);
            Round p = median(plain);
            System.out.printf("{\"clients\": %d, \"length\": %d, \"rounds\": %d, \"dropout\": %.2f, "
                            + "\"secagg\": {\"client_ms\": %.1f, \"server_ms\": %.1f, \"up_bytes_per_client\": %.0f, "
                            + "\"down_bytes_per_client\": %.0f, \"total_bytes\": %d}, "
                            + "\"plain\": {\"client_ms\": %.2f, \"server_ms\": %.1f, \"up_bytes_per_client\": %.0f, "
                            + "\"down_bytes_per_client\": %.0f, \"total_bytes\": %d}}%n",
                    n, length, rounds, dropout, s.clientMs, s.serverMs, s.upBytes, s.downBytes, s.totalBytes,
                    p.clientMs, p.serverMs, p.upBytes, p.downBytes, p.totalBytes);
            table.add(String.format("| %d | %,d | %.0f%% | %.1f / %.2f | %.0f / %.1f | %,.0f / %,.0f (x%.2f) | %,.0f / %,.0f |"
                            + " %,d / %,d (x%.2f) |",
                    n, length, 100 * dropout, s.clientMs, p.clientMs, s.serverMs, p.serverMs, s.upBytes, p.upBytes,
                    s.upBytes / p.upBytes, s.downBytes, p.downBytes, s.totalBytes, p.totalBytes,
                    (double) s.totalBytes / p.totalBytes));
        }
        System.out.println();
        System.out.println("| clients | parameters | dropped after sharing | client ms per round, secagg / plain | server ms"
                + " per round, secagg / plain | bytes up per client, secagg / plain | bytes down per client, secagg /"
                + " plain | bytes per round at the server, secagg / plain |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        table.forEach(System.out::println);
    }

    private static Round secureRound(int n, int length, double dropout, float[][] updates, long session) {
        SecAggParameters parameters = SecAggParameters.of(session, n, length);
        FixedPointEncoding encoding = FixedPointEncoding.forBound(1.0, n);
        SecureRandom random = new SecureRandom();
        long[] clientNanos = new long[n];
        long[] up = new long[n];
        long[] down = new long[n];
        long serverNanos = 0;
        SecAggClient[] clients = new SecAggClient[n];
        long[][] inputs = new long[n][];
        for (int i = 0; i < n; i++) {
            inputs[i] = encoding.encode(updates[i]);
            long t0 = cpu();
            clients[i] = new SecAggClient(parameters, i, random);
            clientNanos[i] += cpu() - t0;
        }
        long t0 = cpu();
        SecAggServer server = new SecAggServer(parameters);
        serverNanos += cpu() - t0;

        byte[][] fromClients = new byte[n][];
        for (int i = 0; i < n; i++) {
            long c0 = cpu();
            fromClients[i] = SecAggCodec.encode(clients[i].advertiseKeys());
            clientNanos[i] += cpu() - c0;
        }
        serverNanos += receiveAll(server, fromClients, up);
        long s0 = cpu();
        byte[] keys = SecAggCodec.encode(server.finishAdvertising());
        serverNanos += cpu() - s0;

        for (int i = 0; i < n; i++) {
            long c0 = cpu();
            KeysAdvertised k = (KeysAdvertised) SecAggCodec.decode(keys);
            fromClients[i] = SecAggCodec.encode(clients[i].shareKeys(k));
            clientNanos[i] += cpu() - c0;
            down[i] += keys.length;
        }
        serverNanos += receiveAll(server, fromClients, up);
        s0 = cpu();
        Map<Integer, SharesDelivered> delivered = server.finishSharing();
        byte[][] toClients = new byte[n][];
        for (Map.Entry<Integer, SharesDelivered> e : delivered.entrySet()) {
            toClients[e.getKey()] = SecAggCodec.encode(e.getValue());
        }
        serverNanos += cpu() - s0;

        int survivors = n - (int) Math.round(dropout * n);
        for (int i = 0; i < n; i++) {
            down[i] += toClients[i].length;
            if (i >= survivors) {
                fromClients[i] = null;
                continue;
            }
            long c0 = cpu();
            SharesDelivered d = (SharesDelivered) SecAggCodec.decode(toClients[i]);
            fromClients[i] = SecAggCodec.encode(clients[i].maskedInput(d, inputs[i]));
            clientNanos[i] += cpu() - c0;
        }
        serverNanos += receiveAll(server, fromClients, up);
        s0 = cpu();
        byte[] request = SecAggCodec.encode(server.finishMasking());
        serverNanos += cpu() - s0;

        for (int i = 0; i < survivors; i++) {
            long c0 = cpu();
            UnmaskRequest u = (UnmaskRequest) SecAggCodec.decode(request);
            fromClients[i] = SecAggCodec.encode(clients[i].unmask(u));
            clientNanos[i] += cpu() - c0;
            down[i] += request.length;
        }
        serverNanos += receiveAll(server, fromClients, up);
        s0 = cpu();
        AggregationResult result = server.finishUnmasking();
        serverNanos += cpu() - s0;

        check(result.sum(), inputs, survivors);
        return round(clientNanos, serverNanos, up, down);
    }

    private static Round plainRound(int n, int length, float[][] updates, long session) {
        FixedPointEncoding encoding = FixedPointEncoding.forBound(1.0, n);
        long[] clientNanos = new long[n];
        long[] up = new long[n];
        long[][] inputs = new long[n][];
        byte[][] fromClients = new byte[n][];
        for (int i = 0; i < n; i++) {
            inputs[i] = encoding.encode(updates[i]);
            long c0 = cpu();
            fromClients[i] = SecAggCodec.encode(new MaskedInput(session, i, inputs[i], List.of()));
            clientNanos[i] += cpu() - c0;
            up[i] = fromClients[i].length;
        }
        long s0 = cpu();
        long[] sum = new long[length];
        for (byte[] bytes : fromClients) {
            long[] x = ((MaskedInput) SecAggCodec.decode(bytes)).masked();
            for (int j = 0; j < length; j++) {
                sum[j] += x[j];
            }
        }
        long serverNanos = cpu() - s0;
        check(sum, inputs, n);
        return round(clientNanos, serverNanos, up, new long[n]);
    }

    private static long receiveAll(SecAggServer server, byte[][] messages, long[] up) {
        long nanos = 0;
        for (int i = 0; i < messages.length; i++) {
            if (messages[i] == null) {
                continue;
            }
            up[i] += messages[i].length;
            long t0 = cpu();
            var receipt = server.receive((ClientMessage) SecAggCodec.decode(messages[i]));
            nanos += cpu() - t0;
            if (!receipt.accepted()) {
                throw new IllegalStateException(receipt.reason());
            }
        }
        return nanos;
    }

    /** The benchmark proves nothing if the sum is wrong: the first {@code count} inputs' plain sum. */
    private static void check(long[] sum, long[][] inputs, int count) {
        long[] plain = new long[sum.length];
        for (int i = 0; i < count; i++) {
            for (int j = 0; j < plain.length; j++) {
                plain[j] += inputs[i][j];
            }
        }
        int at = Arrays.mismatch(sum, plain);
        if (at >= 0) {
            throw new IllegalStateException("sum differs from the plain sum at element " + at);
        }
    }

    private static Round round(long[] clientNanos, long serverNanos, long[] up, long[] down) {
        int n = clientNanos.length;
        long total = 0;
        for (int i = 0; i < n; i++) {
            total += up[i] + down[i];
        }
        return new Round(Arrays.stream(clientNanos).average().orElse(0) / 1e6, serverNanos / 1e6,
                Arrays.stream(up).average().orElse(0), Arrays.stream(down).average().orElse(0), total);
    }

    private static Round median(Round[] rounds) {
        return new Round(median(rounds, Round::clientMs), median(rounds, Round::serverMs), median(rounds, Round::upBytes),
                median(rounds, Round::downBytes), (long) median(rounds, r -> r.totalBytes));
    }

    private static double median(Round[] rounds, java.util.function.ToDoubleFunction<Round> f) {
        double[] v = Arrays.stream(rounds).mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * This thread's CPU time: the machine the benchmark runs on may be shared, and a simulated round is one
     * thread's work, so its CPU time is its compute whatever else runs.
     */
    private static long cpu() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static float[][] updates(int n, int length, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[][] out = new float[n][length];
        for (float[] u : out) {
            for (int j = 0; j < length; j++) {
                u[j] = (float) r.nextDouble(-1, 1);
            }
        }
        return out;
    }
}
