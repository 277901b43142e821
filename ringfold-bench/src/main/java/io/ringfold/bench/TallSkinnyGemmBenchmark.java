package io.ringfold.bench;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.NativeBlas;
import io.ringfold.tensor.PackedMatrix;
import io.ringfold.tensor.TallSkinnyGemm;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The two products of the softmax gradient on a 7,500 × 784 block with 10 classes, one thread: margins
 * {@code Z = X·W} and gradient {@code G = Xᵀ·R}, each 118 MFLOP. OpenBLAS SGEMM (what GlmProblem called before),
 * {@link Blas#sgemmRowInvariant} on W packed once (the prediction kernel), and {@link TallSkinnyGemm}; then
 * both products as GlmProblem runs them, 48 rows at a time so that the gradient finds the rows in cache, against
 * the two SGEMM calls. GFLOP/s = 117.6 / (ms per call) for one product, 235.2 / ms for both.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TallSkinnyGemmBenchmark {

    private static final int M = 7_500;
    private static final int K = 784;
    private static final int N = 10;
    private static final int CHUNK = 48;

    private Blas openBlas;
    private float[] x;
    private float[] w;
    private float[] r;
    private PackedMatrix packedForPrediction;
    private float[] packed;
    private float[] z;
    private float[] g;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(18);
        x = new float[M * K];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        w = new float[K * N];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (random.nextGaussian() * 0.01);
        }
        r = new float[M * N];
        for (int i = 0; i < r.length; i++) {
            r[i] = (float) random.nextDouble(-1, 1);
        }
        openBlas = NativeBlas.create(1);
        packedForPrediction = PackedMatrix.of(K, N, w, 0, N);
        packed = new float[TallSkinnyGemm.packedLength(K, N)];
        TallSkinnyGemm.pack(K, N, w, 0, packed);
        z = new float[M * N];
        g = new float[K * N];
    }

    @Benchmark
    public float[] marginsOpenBlas() {
        openBlas.sgemm(false, false, M, N, K, 1f, x, 0, K, w, 0, N, 0f, z, 0, N);
        return z;
    }

    @Benchmark
    public float[] marginsRowInvariant() {
        openBlas.sgemmRowInvariant(M, x, 0, K, packedForPrediction, z, 0, N);
        return z;
    }

    @Benchmark
    public float[] marginsTallSkinny() {
        TallSkinnyGemm.pack(K, N, w, 0, packed);
        TallSkinnyGemm.multiply(M, K, N, x, 0, packed, z, 0);
        return z;
    }

    @Benchmark
    public float[] gradientOpenBlas() {
        openBlas.sgemm(true, false, K, N, M, 1f, x, 0, K, r, 0, N, 0f, g, 0, N);
        return g;
    }

    @Benchmark
    public float[] gradientTallSkinny() {
        Arrays.fill(g, 0f);
        for (int from = 0; from < M; from += CHUNK) {
            TallSkinnyGemm.addTransposedProduct(Math.min(CHUNK, M - from), K, N, x, from * K, r, from * N, g, 0);
        }
        return g;
    }

    @Benchmark
    public float[] bothOpenBlas() {
        openBlas.sgemm(false, false, M, N, K, 1f, x, 0, K, w, 0, N, 0f, z, 0, N);
        openBlas.sgemm(true, false, K, N, M, 1f, x, 0, K, r, 0, N, 0f, g, 0, N);
        return g;
    }

    /** Both products chunk by chunk (R stands in for the residuals GlmProblem computes between them). */
    @Benchmark
    public float[] bothTallSkinnyChunked() {
        TallSkinnyGemm.pack(K, N, w, 0, packed);
        Arrays.fill(g, 0f);
        for (int from = 0; from < M; from += CHUNK) {
            int rows = Math.min(CHUNK, M - from);
            TallSkinnyGemm.multiply(rows, K, N, x, from * K, packed, z, from * N);
            TallSkinnyGemm.addTransposedProduct(rows, K, N, x, from * K, r, from * N, g, 0);
        }
        return g;
    }
}
