package io.ringfold.serving.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.ringfold.io.ModelLimits;
import io.ringfold.serving.batching.BatchObserver;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.Tensor;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Time per inference of the MLP fixture through {@link OnnxServable#infer} against ONNX Runtime called directly
 * (create the input tensor, run, copy the output out), one client, batch 1 and 64: what the backend adds to the
 * runtime's own time. Not a test: a loop to run by hand (bench/RESULTS.md style figures), e.g.
 * <pre>
 * mvn -B -o -q -pl ringfold-serving -am test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp ringfold-serving/target/test-classes:ringfold-serving/target/classes:$(cat /tmp/cp.txt) \
 *     io.ringfold.serving.backend.onnx.OnnxOverhead [rounds]
 * </pre>
 * Rounds alternate the three ways so that a noisy neighbour slows each alike; the best round of each is reported.
 */
public final class OnnxOverhead {

    private static final long SEED = 7;

    private OnnxOverhead() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        for (int rows : new int[] {1, 64}) {
            measure(rows, rounds);
        }
    }

    private static void measure(int rows, int rounds) throws Exception {
        int n = rows == 1 ? 20_000 : 5_000;
        float[] x = new float[rows * 4];
        Random random = new Random(SEED);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        OrtEnvironment env = OnnxServable.environment();
        OnnxServable inline = load(BatchingConfig.defaults().withEnabled(false));
        OnnxServable queued = load(BatchingConfig.defaults());
        inline.warm();
        queued.warm();
        List<Tensor> request = List.of(Tensor.ofFloats("features", new long[] {rows, 4}, x));
        double bestBare = Double.MAX_VALUE;
        double bestInline = Double.MAX_VALUE;
        double bestQueued = Double.MAX_VALUE;
        try (OrtSession.SessionOptions o = OnnxOptions.defaults().toSessionOptions();
             OrtSession session = env.createSession(OnnxFixtures.file("mlp.onnx").toString(), o)) {
            for (int r = 0; r < rounds; r++) {
                bestBare = Math.min(bestBare, bare(env, session, x, rows, n));
                bestInline = Math.min(bestInline, served(inline, request, n));
                bestQueued = Math.min(bestQueued, served(queued, request, n));
            }
        } finally {
            OnnxServableTest.close(inline);
            OnnxServableTest.close(queued);
        }
        System.out.printf(Locale.ROOT, "batch %d: ONNX Runtime directly %.1f us; OnnxServable, batching off (inline) %.1f us"
                        + " (+%.1f); batching on (queued, one client) %.1f us (+%.1f)%n", rows, bestBare, bestInline,
                bestInline - bestBare, bestQueued, bestQueued - bestBare);
    }

    private static OnnxServable load(BatchingConfig batching) throws Exception {
        return OnnxServable.load("mlp", OnnxFixtures.file("mlp.onnx"), ModelLimits.defaults(), OnnxOptions.defaults(),
                batching, BatchObserver.NONE);
    }

    /** Microseconds per call: the input tensor created, the session run, the output copied out, as a caller would. */
    private static double bare(OrtEnvironment env, OrtSession session, float[] x, int rows, int n) throws Exception {
        float[] out = new float[rows * 3];
        long[] shape = {rows, 4};
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                 OrtSession.Result r = session.run(Map.of("features", t))) {
                ((OnnxTensor) r.get(0)).getFloatBuffer().get(out);
            }
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }

    private static double served(OnnxServable s, List<Tensor> request, int n) throws Exception {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            s.infer(request).get();
        }
        return (System.nanoTime() - start) / 1e3 / n;
    }
}
