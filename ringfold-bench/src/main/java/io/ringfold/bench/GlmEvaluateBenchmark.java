package io.ringfold.bench;

import io.ringfold.nn.Loss;
import io.ringfold.solve.GlmProblem;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.NativeBlas;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One evaluation of the softmax objective and its gradient ({@link GlmProblem#evaluate}) on one block of
 * Fashion-MNIST's shape, 7,500 rows × 784 features, 10 classes: what a data-parallel worker does for each of its
 * blocks in every L-BFGS iteration. {@code tall-skinny} is {@link GlmProblem} (the TallSkinnyGemm kernels, 48 rows
 * at a time); {@code openblas} is the evaluation it replaced, kept here verbatim as the baseline: two OpenBLAS
 * SGEMM calls per block (one thread, as each worker has) around the same per-row loss loop, with its two exps
 * per class. Run without {@code OPENBLAS_CORETYPE} set, so that the shim picks the core type.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GlmEvaluateBenchmark {

    static final int ROWS = 7_500;
    static final int FEATURES = 784;
    static final int CLASSES = 10;

    @Param({"openblas", "tall-skinny"})
    public String impl;

    private GlmProblem problem;
    private OpenBlasBaseline baseline;
    private double[] theta;
    private double[] gradient;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(18);
        FloatMatrix x = new FloatMatrix(ROWS, FEATURES);
        float[] data = x.data();
        for (int i = 0; i < data.length; i++) {
            // Standardised pixels: mostly small, some large.
            data[i] = (float) (random.nextGaussian() * (random.nextInt(4) == 0 ? 2 : 0.5));
        }
        float[] y = new float[ROWS];
        for (int i = 0; i < ROWS; i++) {
            y[i] = random.nextInt(CLASSES);
        }
        GlmProblem.Block block = new GlmProblem.Block(0, x, y, null);
        problem = new GlmProblem(NativeBlas.create(1), Loss.CROSS_ENTROPY, FEATURES, CLASSES, 1, List.of(block),
                GlmProblem.Exchange.LOCAL, 1.0 / ROWS);
        baseline = new OpenBlasBaseline(NativeBlas.create(1), block, FEATURES, CLASSES, 1.0 / ROWS);
        theta = new double[problem.parameterCount()];
        for (int i = 0; i < theta.length; i++) {
            theta[i] = random.nextGaussian() * 0.01;
        }
        gradient = new double[theta.length];
    }

    @Benchmark
    public double evaluate() {
        return impl.equals("openblas") ? baseline.evaluate(theta, gradient) : problem.evaluate(theta, gradient);
    }

    /** GlmProblem.evaluate as it was before TallSkinnyGemm (commit a7e4409), for one block and softmax only. */
    static final class OpenBlasBaseline {
        private final Blas blas;
        private final GlmProblem.Block block;
        private final int features;
        private final int outputs;
        private final double l2;
        private final float[] params;
        private final float[] margins;
        private final float[] gradientBlock;

        OpenBlasBaseline(Blas blas, GlmProblem.Block block, int features, int outputs, double l2) {
            this.blas = blas;
            this.block = block;
            this.features = features;
            this.outputs = outputs;
            this.l2 = l2;
            this.params = new float[features * outputs + outputs];
            this.margins = new float[block.x().rows() * outputs];
            this.gradientBlock = new float[features * outputs];
        }

        double evaluate(double[] theta, double[] gradient) {
            int p = params.length;
            int slot = p + 2;
            for (int i = 0; i < p; i++) {
                params[i] = (float) theta[i];
            }
            double[] buffer = new double[slot];
            blockSums(buffer, 0);
            java.util.Arrays.fill(gradient, 0);
            double lossSum = buffer[0];
            for (int i = 0; i < p; i++) {
                gradient[i] += buffer[2 + i];
            }
            double weightSum = block.x().rows();
            double penalty = 0;
            for (int i = 0; i < p; i++) {
                gradient[i] /= weightSum;
                if (i < features * outputs) {
                    penalty += theta[i] * theta[i];
                    gradient[i] += l2 * theta[i];
                }
            }
            return lossSum / weightSum + 0.5 * l2 * penalty;
        }

        private void blockSums(double[] out, int off) {
            float[] x = ((FloatMatrix) block.x()).data();
            int n = block.x().rows();
            int k = outputs;
            int bias = features * k;
            blas.sgemm(false, false, n, k, features, 1f, x, 0, features, params, 0, k, 0f, margins, 0, k);
            double lossSum = 0;
            long hits = 0;
            for (int i = 0; i < n; i++) {
                double w = block.w() == null ? 1 : block.w()[i];
                int r = i * k;
                int label = (int) block.y()[i];
                double max = Double.NEGATIVE_INFINITY;
                int arg = 0;
                for (int c = 0; c < k; c++) {
                    double z = (double) margins[r + c] + params[bias + c];
                    if (z > max) {
                        max = z;
                        arg = c;
                    }
                }
                double sum = 0;
                for (int c = 0; c < k; c++) {
                    sum += Math.exp((double) margins[r + c] + params[bias + c] - max);
                }
                double logSum = max + Math.log(sum);
                lossSum += w * (logSum - ((double) margins[r + label] + params[bias + label]));
                hits += arg == label ? 1 : 0;
                for (int c = 0; c < k; c++) {
                    double prob = Math.exp((double) margins[r + c] + params[bias + c] - logSum);
                    margins[r + c] = (float) (w * (prob - (c == label ? 1 : 0)));
                }
            }
            out[off] = lossSum;
            out[off + 1] = hits;
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < k; c++) {
                    out[off + 2 + bias + c] += margins[i * k + c];
                }
            }
            blas.sgemm(true, false, features, k, n, 1f, x, 0, features, margins, 0, k, 0f, gradientBlock, 0, k);
            for (int i = 0; i < bias; i++) {
                out[off + 2 + i] = gradientBlock[i];
            }
        }
    }
}
