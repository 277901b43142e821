package io.ringfold.bench;

import io.ringfold.tensor.Kernels;
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
 * The element-wise kernels of a dense layer step, {@link Kernels} (Vector API) against the plain
 * scalar loops they replaced, kept here verbatim as the baseline. (relu was measured too and left
 * scalar: HotSpot auto-vectorises it as well as the Vector API does.) Shapes: a 128-row batch of 128
 * hidden units, and of 784 inputs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class KernelsBenchmark {

    @Param({"128x128", "128x784"})
    public String shape;

    private int rows;
    private int cols;
    private float[] x;
    private float[] grad;
    private float[] bias;
    private float[] out;

    @Setup
    public void setUp() {
        String[] dims = shape.split("x");
        rows = Integer.parseInt(dims[0]);
        cols = Integer.parseInt(dims[1]);
        SplittableRandom random = new SplittableRandom(7);
        x = new float[rows * cols];
        grad = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
            grad[i] = (float) random.nextDouble(-1, 1);
        }
        bias = new float[cols];
        out = new float[cols];
    }

    @Benchmark
    public float[] addRowVectorVector() {
        Kernels.addRowVector(x, rows, cols, bias);
        return x;
    }

    @Benchmark
    public float[] addRowVectorScalar() {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                x[base + c] += bias[c];
            }
        }
        return x;
    }

    @Benchmark
    public float[] sumColumnsVector() {
        Kernels.sumColumns(x, rows, cols, out);
        return out;
    }

    @Benchmark
    public float[] sumColumnsScalar() {
        java.util.Arrays.fill(out, 0, cols, 0f);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                out[c] += x[base + c];
            }
        }
        return out;
    }

    @Benchmark
    public float[] reluBackwardVector() {
        Kernels.reluBackward(x, grad, x.length);
        return grad;
    }

    @Benchmark
    public float[] reluBackwardScalar() {
        for (int i = 0, n = x.length; i < n; i++) {
            if (x[i] <= 0f) {
                grad[i] = 0f;
            }
        }
        return grad;
    }
}
