package io.ringfold.parallel;

import io.ringfold.nn.Network;
import io.ringfold.nn.NetworkStage;
import io.ringfold.nn.StagePass;
import io.ringfold.nn.TrainingContext;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

import java.util.Arrays;

/**
 * Stage boundaries chosen automatically: each layer's cost is the mean of its share of the parameters (what a
 * stage must hold, with the optimizer's state) and its share of the measured time of a forward and backward
 * pass, and the layers are split into contiguous stages that minimise the largest stage cost (the linear
 * partition problem, solved exactly by dynamic programming; among splits within 2% of that, the most even). The
 * measurement is taken once, on one worker, and
 * the boundaries shared, because every worker must cut the network the same way.
 */
final class StageBalance {

    private StageBalance() {
    }

    /**
     * Seconds of one training forward and backward pass of each layer of {@code net} alone ({@link
     * Network#nodes()} order) on {@code rows} rows: the first layer on the data's first rows, the others on
     * random inputs. The median of three passes after one to warm up; a layer's parameters only are allocated.
     */
    static double[] measure(Network net, Blas blas, Matrix x, int rows, long seed) {
        int layers = net.nodes().size();
        double[] seconds = new double[layers];
        rows = Math.max(1, Math.min(rows, x.rows()));
        int[] examples = new int[rows];
        int[] index = new int[rows];
        for (int i = 0; i < rows; i++) {
            examples[i] = i;
            index[i] = i;
        }
        TrainingContext context = new TrainingContext(seed, 0, examples);
        SplitMix64 rng = new SplitMix64(seed);
        // Two rounds over every layer, the first only to warm the JIT up: timed cold, the first layers measured
        // would look slower than they are and draw too many of the others into a stage beside them.
        for (int round = 0; round < 2; round++) {
            measureRound(net, blas, x, rows, index, context, rng, seconds);
        }
        return seconds;
    }

    private static void measureRound(Network net, Blas blas, Matrix x, int rows, int[] index, TrainingContext context,
                                     SplitMix64 rng, double[] seconds) {
        int layers = seconds.length;
        for (int i = 0; i < layers; i++) {
            NetworkStage layer = NetworkStage.of(net, i, i + 1);
            StagePass pass = layer.newPass(rows);
            float[] params = layer.initialParameters(context.seed());
            float[] grad = new float[layer.parameterCount()];
            Matrix in = null;
            if (i == 0) {
                in = x.batch(index, 0, rows, x.batchBuffer(rows));
            } else {
                float[] b = pass.inputBuffer();
                for (int j = 0; j < rows * layer.inputWidth(); j++) {
                    b[j] = (float) rng.nextGaussian();
                }
            }
            float[] dy = pass.outputGradient();
            double[] runs = new double[3];
            for (int r = -1; r < runs.length; r++) {
                for (int j = 0; j < rows * layer.outputWidth(); j++) {
                    dy[j] = (float) rng.nextGaussian();
                }
                long t0 = System.nanoTime();
                pass.forward(blas, params, in, rows, context);
                pass.backward(params, grad);
                if (r >= 0) {
                    runs[r] = (System.nanoTime() - t0) / 1e9;
                }
            }
            Arrays.sort(runs);
            seconds[i] = runs[1];
        }
    }

    /**
     * The layer index where each stage begins, plus the layer count at the end ({@code stages + 1} values,
     * the first 0), minimising the largest stage cost for layers of {@code params} parameters and {@code
     * seconds} measured time.
     */
    static int[] balance(long[] params, double[] seconds, int stages) {
        int n = params.length;
        if (stages > n) {
            throw new IllegalArgumentException("pipelineStages: " + stages + " (expected: at most the network's " + n
                    + " layers, output layer included)");
        }
        double totalParams = Arrays.stream(params).sum();
        double totalSeconds = Arrays.stream(seconds).sum();
        double[] cost = new double[n];
        for (int i = 0; i < n; i++) {
            double p = totalParams > 0 ? params[i] / totalParams : 0;
            double t = totalSeconds > 0 ? seconds[i] / totalSeconds : 0;
            cost[i] = totalParams > 0 && totalSeconds > 0 ? (p + t) / 2 : p + t;
        }
        double[] prefix = new double[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + cost[i];
        }
        // best[k][i]: the smallest largest cost of the first i layers in k stages; from[k][i]: where stage k-1 begins.
        double[][] best = new double[stages + 1][n + 1];
        int[][] from = new int[stages + 1][n + 1];
        for (double[] row : best) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        best[0][0] = 0;
        for (int k = 1; k <= stages; k++) {
            for (int i = k; i <= n - (stages - k); i++) {
                for (int j = k - 1; j < i; j++) {
                    double c = Math.max(best[k - 1][j], prefix[i] - prefix[j]);
                    if (c < best[k][i]) {
                        best[k][i] = c;
                        from[k][i] = j;
                    }
                }
            }
        }
        // Among the splits whose largest stage is within 2% of the smallest possible (measured times are noisy),
        // the most even one: least sum of squared stage costs. Without it, a tie could leave a stage holding a
        // single activation while its neighbour holds two heavy layers.
        double limit = best[stages][n] * 1.02 + 1e-12;
        double[][] squares = new double[stages + 1][n + 1];
        for (double[] row : squares) {
            Arrays.fill(row, Double.POSITIVE_INFINITY);
        }
        squares[0][0] = 0;
        for (int k = 1; k <= stages; k++) {
            for (int i = k; i <= n - (stages - k); i++) {
                for (int j = k - 1; j < i; j++) {
                    double c = prefix[i] - prefix[j];
                    if (c <= limit && squares[k - 1][j] + c * c < squares[k][i]) {
                        squares[k][i] = squares[k - 1][j] + c * c;
                        from[k][i] = j;
                    }
                }
            }
        }
        int[] cuts = new int[stages + 1];
        cuts[stages] = n;
        for (int k = stages; k > 0; k--) {
            cuts[k - 1] = from[k][cuts[k]];
        }
        return cuts;
    }
}
