package io.ringfold.bench;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.NativeBlas;
import io.ringfold.tensor.VectorBlas;
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
 * SGEMM time per call for the MLP 784-128-10 (batch 128) training shapes and square sizes, for each
 * BLAS and thread count. Shapes read {@code OPS:MxNxK} (OPS = transposes of A and B, N or T);
 * GFLOP/s = 2·M·N·K / (score in µs · 1000), which bench/jmh.sh computes into its table.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBenchmark {

    /** Forward X·W1; dW1 = Xᵀ·dH; forward H·W2; dH = dOut·W2ᵀ; then square sizes. */
    @Param({"NN:128x128x784", "TN:784x128x128", "NN:128x10x128", "NT:128x128x10",
            "NN:256x256x256", "NN:1024x1024x1024", "NN:2048x2048x2048"})
    public String shape;

    /** java-1, java-all: VectorBlas; native-1, native-all: OpenBLAS; "all" = available processors. */
    @Param({"java-1", "java-all", "native-1", "native-all"})
    public String impl;

    private Blas blas;
    private boolean transA;
    private boolean transB;
    private int m;
    private int n;
    private int k;
    private float[] a;
    private float[] b;
    private float[] c;

    @Setup
    public void setUp() {
        transA = shape.charAt(0) == 'T';
        transB = shape.charAt(1) == 'T';
        String[] dims = shape.substring(3).split("x");
        m = Integer.parseInt(dims[0]);
        n = Integer.parseInt(dims[1]);
        k = Integer.parseInt(dims[2]);
        int threads = impl.endsWith("-all") ? Runtime.getRuntime().availableProcessors() : 1;
        blas = impl.startsWith("native") ? NativeBlas.create(threads) : new VectorBlas(threads);
        SplittableRandom random = new SplittableRandom(42);
        a = randomArray(random, m * k);
        b = randomArray(random, k * n);
        c = new float[m * n];
    }

    @Benchmark
    public float[] sgemm() {
        blas.sgemm(transA, transB, m, n, k, 1f, a, 0, transA ? m : k, b, 0, transB ? k : n, 0f, c, 0, n);
        return c;
    }

    private static float[] randomArray(SplittableRandom random, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }
}
