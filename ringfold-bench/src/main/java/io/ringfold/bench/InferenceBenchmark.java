package io.ringfold.bench;

import io.ringfold.model.Architecture;
import io.ringfold.model.ModelType;
import io.ringfold.nn.Activation;
import io.ringfold.nn.ForwardPass;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.nn.Prepared;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.NativeBlas;
import io.ringfold.tensor.VectorBlas;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What batch invariance costs: the prediction forward pass (products, bias, activations, softmax) of the
 * digits and fashion-MNIST MLPs and softmax models, per batch of 1 to 1024 rows, on one thread.
 * {@code invariant} is the path predictions take ({@link ForwardPass#forwardRowInvariant}: the Java
 * row-invariant kernel on weights packed once); {@code native} the same pass with OpenBLAS's SGEMM, the
 * fastest path and not batch invariant; {@code java-sgemm} with VectorBlas's SGEMM, which repacks the
 * weights on every call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class InferenceBenchmark {

    /** digits: 64 inputs, MLP with 64 hidden units; fashion: 784 inputs, MLP with 128; both 10 classes. */
    @Param({"digits-mlp", "digits-softmax", "fashion-mlp", "fashion-softmax"})
    public String model;

    @Param({"1", "8", "32", "128", "1024"})
    public int batch;

    @Param({"invariant", "native", "java-sgemm"})
    public String path;

    private Blas blas;
    private float[] params;
    private Prepared prepared;
    private FloatMatrix x;
    private ForwardPass pass;

    @Setup
    public void setUp() {
        int inputs = model.startsWith("digits") ? 64 : 784;
        int[] hidden = model.endsWith("mlp") ? new int[] {inputs == 64 ? 64 : 128} : new int[0];
        Network net = new Architecture(model.endsWith("mlp") ? ModelType.MLP : ModelType.SOFTMAX, inputs, hidden,
                Activation.RELU, 10, Loss.CROSS_ENTROPY).toNetwork();
        SplittableRandom random = new SplittableRandom(42);
        params = randomArray(random, net.parameterCount(), 1 / Math.sqrt(inputs));
        prepared = Prepared.of(net, params);
        x = new FloatMatrix(batch, inputs, randomArray(random, batch * inputs, 1));
        pass = new ForwardPass(net, batch);
        blas = path.equals("native") ? NativeBlas.create(1) : new VectorBlas(1);
    }

    @Benchmark
    public float[] forward() {
        if (path.equals("invariant")) {
            pass.predict(blas, params, prepared, x, batch);
        } else {
            pass.forward(blas, params, x, batch);
        }
        pass.applyOutputActivation(batch);
        return pass.output();
    }

    private static float[] randomArray(SplittableRandom random, int length, double scale) {
        float[] a = new float[length];
        for (int i = 0; i < length; i++) {
            a[i] = (float) random.nextDouble(-scale, scale);
        }
        return a;
    }
}
