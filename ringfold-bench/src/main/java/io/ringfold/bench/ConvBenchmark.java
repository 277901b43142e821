package io.ringfold.bench;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.NativeBlas;
import io.ringfold.tensor.PackedMatrix;
import io.ringfold.tensor.VectorBlas;
import io.ringfold.tensor.conv.ConvGeometry;
import io.ringfold.tensor.conv.Convolution;
import io.ringfold.tensor.conv.InvariantConvolution;
import io.ringfold.tensor.conv.MaxPool;
import io.ringfold.tensor.conv.PoolGeometry;
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
 * The convolution kernels on LeNet's shapes (Fashion-MNIST 1x28x28: conv2d(20, 5), maxpool2d(2),
 * conv2d(50, 5), maxpool2d(2)) for a batch of 64 and a logical shard of 8 rows, one BLAS thread (a
 * data-parallel worker's configuration), against the same BLAS's square SGEMM in the same run, the peak
 * the kernels are measured against. bench/jmh.sh turns the scores into GFLOP/s and ratios:
 * forward = 2·F·K·N·rows flops; backward the same for the weight gradient plus as much again for dx
 * (conv2 only: conv1 is the first layer, whose dx nobody needs).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ConvBenchmark {

    /** One convolution and the max pooling after it. */
    @State(Scope.Thread)
    public static class Layer {

        /** conv1: 1x28x28 to 20x24x24; conv2: 20x12x12 to 50x8x8; both 5x5, stride 1, no padding. */
        @Param({"conv1", "conv2"})
        public String layer;

        @Param({"64", "8"})
        public int rows;

        /** VectorBlas or OpenBLAS, one thread. */
        @Param({"java", "native"})
        public String impl;

        Blas blas;
        ConvGeometry geometry;
        Convolution conv;
        InvariantConvolution invariant;
        PackedMatrix packed;
        MaxPool pool;
        float[] x;
        float[] params;
        float[] y;
        float[] dy;
        float[] grad;
        float[] dx;
        float[] pooled;
        float[] pooledGrad;

        @Setup
        public void setUp() {
            blas = createBlas(impl);
            geometry = layer.equals("conv1") ? ConvGeometry.square(1, 28, 28, 20, 5, 1, 0)
                    : ConvGeometry.square(20, 12, 12, 50, 5, 1, 0);
            SplittableRandom random = new SplittableRandom(42);
            x = randomArray(random, rows * geometry.inputSize());
            params = randomArray(random, geometry.parameterCount());
            y = new float[rows * geometry.outputSize()];
            dy = randomArray(random, rows * geometry.outputSize());
            grad = new float[geometry.parameterCount()];
            dx = layer.equals("conv1") ? null : new float[rows * geometry.inputSize()];
            conv = new Convolution(geometry, rows);
            conv.forward(blas, rows, x, 0, params, 0, y, 0);
            invariant = new InvariantConvolution(geometry);
            packed = InvariantConvolution.packWeights(geometry, params, 0);
            pool = new MaxPool(new PoolGeometry(geometry.filters(), geometry.outHeight(), geometry.outWidth(), 2, 2), rows);
            pooled = new float[rows * geometry.outputSize() / 4];
            pooledGrad = new float[rows * geometry.outputSize()];
        }
    }

    /** The peak: a square SGEMM on the same BLAS and thread count. */
    @State(Scope.Thread)
    public static class Peak {

        @Param({"java", "native"})
        public String impl;

        @Param({"512"})
        public int size;

        Blas blas;
        float[] a;
        float[] b;
        float[] c;

        @Setup
        public void setUp() {
            blas = createBlas(impl);
            SplittableRandom random = new SplittableRandom(42);
            a = randomArray(random, size * size);
            b = randomArray(random, size * size);
            c = new float[size * size];
        }
    }

    @Benchmark
    public float[] forward(Layer s) {
        s.conv.forward(s.blas, s.rows, s.x, 0, s.params, 0, s.y, 0);
        return s.y;
    }

    /** The weight and bias gradients, and dx for conv2; differentiates the forward pass of the set-up. */
    @Benchmark
    public float[] backward(Layer s) {
        s.conv.backward(s.blas, s.rows, s.dy, 0, s.params, 0, s.grad, 0, s.dx, 0);
        return s.grad;
    }

    /** The batch-invariant forward pass of predictions. */
    @Benchmark
    public float[] predict(Layer s) {
        s.invariant.forward(s.blas, s.rows, s.x, 0, s.packed, s.params, 0, s.y, 0);
        return s.y;
    }

    /** maxpool2d(2) over the layer's output, forward then backward. */
    @Benchmark
    public float[] maxPool(Layer s) {
        s.pool.forward(s.rows, s.y, 0, s.pooled, 0);
        s.pool.backward(s.rows, s.pooled, 0, s.pooledGrad, 0);
        return s.pooledGrad;
    }

    @Benchmark
    public float[] sgemmPeak(Peak p) {
        p.blas.sgemm(false, false, p.size, p.size, p.size, 1f, p.a, 0, p.size, p.b, 0, p.size, 0f, p.c, 0, p.size);
        return p.c;
    }

    static Blas createBlas(String impl) {
        return impl.equals("native") ? NativeBlas.create(1) : new VectorBlas(1);
    }

    private static float[] randomArray(SplittableRandom random, int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }
}
