package io.ringfold.bench;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.InProcessGroup;
import io.ringfold.collective.TcpRendezvous;
import io.ringfold.collective.Transport;
import io.ringfold.nn.LayerList;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.nn.Shape;
import io.ringfold.parallel.CheckpointPolicy;
import io.ringfold.parallel.DataParallelTrainer;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.OptimizerKind;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One rank of the sharded-embeddings benchmark (bench/embeddings/run.sh): {@code embeddingbag(DIM),relu,dense(8)}
 * over a vocabulary of ROWS tokens, trained with Adam for STEPS steps of BATCH synthetic texts (TOKENS distinct
 * tokens each, uniform over the vocabulary, seed 1), exact mode over 2 logical shards, with the table split over
 * the WORLD ranks ({@code sharded}) or whole on every rank ({@code whole}, WORLD = 1 for one worker holding it).
 * Rank 0 prints one JSON line: the median step time (the first two steps and the last left out), the time from
 * the call to the first step (the table's initialisation), and the heap in use after a full collection at the
 * last step, during training: what the rank holds. Ranks meet at 127.0.0.1:PORT (shared memory between them).
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp ringfold-bench/target/benchmarks.jar \
 *     io.ringfold.bench.ShardedEmbeddingRun MODE ROWS DIM WORLD RANK PORT [STEPS BATCH TOKENS]
 * </pre>
 */
public final class ShardedEmbeddingRun {

    private ShardedEmbeddingRun() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            throw new IllegalArgumentException("arguments: " + args.length + " (expected: MODE ROWS DIM WORLD RANK PORT"
                    + " [STEPS BATCH TOKENS])");
        }
        boolean sharded = switch (args[0]) {
            case "sharded" -> true;
            case "whole" -> false;
            default -> throw new IllegalArgumentException("mode: " + args[0] + " (expected: sharded or whole)");
        };
        int rows = Integer.parseInt(args[1]);
        int dim = Integer.parseInt(args[2]);
        int world = Integer.parseInt(args[3]);
        int rank = Integer.parseInt(args[4]);
        int port = Integer.parseInt(args[5]);
        int steps = args.length > 6 ? Integer.parseInt(args[6]) : 12;
        int batch = args.length > 7 ? Integer.parseInt(args[7]) : 256;
        int tokens = args.length > 8 ? Integer.parseInt(args[8]) : 20;

        CsrMatrix x = texts(steps * batch, rows, tokens);
        float[] y = new float[x.rows()];
        SplitMix64 labels = new SplitMix64(2);
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.nextInt(2);
        }
        Network net = Network.of(Shape.vector(rows), LayerList.parse("embeddingbag(" + dim + "),relu,dense(8)"), 2,
                Loss.CROSS_ENTROPY);
        Map<io.ringfold.train.Hyperparameter<?>, Object> m = new HashMap<>();
        m.put(Hyperparameters.EPOCHS, 1);
        m.put(Hyperparameters.BATCH_SIZE, batch);
        m.put(Hyperparameters.OPTIMIZER, OptimizerKind.ADAM);
        m.put(Hyperparameters.LEARNING_RATE, 0.01f);
        m.put(Hyperparameters.SEED, 1L);
        TrainingConfig config = TrainingConfig.of(m);
        DataParallelTrainer trainer = new DataParallelTrainer(config, BlasSelection.createRequested(1), 2, true, sharded);

        long[] at = new long[steps + 1];
        long[] heap = new long[1];
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onStep(int epoch, int step, int stepsPerEpoch) {
                at[step] = System.nanoTime();
                if (step == stepsPerEpoch) {
                    System.gc();
                    heap[0] = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
                }
            }
        };
        Duration timeout = Duration.ofSeconds(600);
        long t0 = System.nanoTime();
        TrainingResult result;
        try (Communicator comm = world == 1 ? new InProcessGroup(1, timeout).communicator(0)
                : Transport.AUTO.over(TcpRendezvous.join("127.0.0.1", port, rank, world, timeout))) {
            t0 = System.nanoTime();
            result = trainer.fit(comm, net, x, y, null, null, listener, CheckpointPolicy.none());
        }
        if (rank != 0) {
            return;
        }
        // at[k]: the end of step k; step 1 ends at[1], so step k took at[k] - at[k - 1] (k >= 2).
        double[] stepSeconds = new double[steps - 3];
        for (int k = 3; k < steps; k++) {
            stepSeconds[k - 3] = (at[k] - at[k - 1]) / 1e9;
        }
        Arrays.sort(stepSeconds);
        System.out.printf("{\"mode\":\"%s\",\"rows\":%d,\"dim\":%d,\"workers\":%d,\"steps\":%d,\"batch\":%d,"
                        + "\"tokens\":%d,\"step_seconds_median\":%.4f,\"first_step_end_seconds\":%.2f,"
                        + "\"heap_used_mib_at_last_step\":%d,\"max_heap_mib\":%d,\"loss\":%.6f}%n",
                args[0], rows, dim, world, steps, batch, tokens, stepSeconds[stepSeconds.length / 2],
                (at[1] - t0) / 1e9, heap[0] >> 20, Runtime.getRuntime().maxMemory() >> 20,
                result.epochs().get(0).loss());
    }

    /** {@code n} texts of {@code tokens} distinct token ids each (count 1), uniform over the vocabulary. */
    private static CsrMatrix texts(int n, int vocabulary, int tokens) {
        SplitMix64 rng = new SplitMix64(1);
        int[] ptr = new int[n + 1];
        int[] cols = new int[n * tokens];
        float[] values = new float[cols.length];
        Arrays.fill(values, 1f);
        for (int r = 0; r < n; r++) {
            int at = r * tokens;
            for (int k = 0; k < tokens; k++) {
                cols[at + k] = rng.nextInt(vocabulary);
            }
            Arrays.sort(cols, at, at + tokens);
            for (int k = 1; k < tokens; k++) {
                // Distinct and increasing, as a CSR row must be: a repeat moves one past its predecessor.
                if (cols[at + k] <= cols[at + k - 1]) {
                    cols[at + k] = cols[at + k - 1] + 1;
                }
            }
            if (cols[at + tokens - 1] >= vocabulary) {
                throw new IllegalArgumentException("vocabulary: " + vocabulary + " (expected: well above tokens, "
                        + tokens + ")");
            }
            ptr[r + 1] = at + tokens;
        }
        return new CsrMatrix(n, vocabulary, ptr, cols, values);
    }
}
