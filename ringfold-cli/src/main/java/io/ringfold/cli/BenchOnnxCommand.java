package io.ringfold.cli;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * ONNX Runtime called directly, in process, on an ONNX file with one FP32 input: the peer that the server's own
 * time per request is set against (bench/serving/onnx.sh). Each call creates the input tensor from a Java
 * array, runs the session and copies every output out, as a server must; the session has the server's default
 * options (one intra-op and one inter-op thread, all optimisations).
 */
@Command(name = "onnx", mixinStandardHelpOptions = true,
        description = "Time ONNX Runtime in process on MODEL.onnx (one FP32 input): microseconds per run.")
final class BenchOnnxCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.onnx", description = "The ONNX file.")
    Path file;

    @Option(names = "--rows", description = "Rows per run, along the first (batch) dimension (default: 1).")
    int rows = 1;

    @Option(names = "--seconds", description = "Seconds measured, after as many of warm-up (default: 5).")
    int seconds = 5;

    @Option(names = "--json", description = "One JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (rows <= 0 || seconds <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rows " + rows + " --seconds " + seconds
                    + " (expected: > 0, > 0)");
        }
        if (!Files.isRegularFile(file)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "MODEL.onnx: " + file
                    + " (expected: an ONNX file)");
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(file.toString(), options)) {
                if (session.getInputNames().size() != 1) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), "MODEL.onnx: "
                            + session.getInputNames().size() + " inputs (expected: 1, FP32)");
                }
                String input = session.getInputNames().iterator().next();
                long[] shape = ((ai.onnxruntime.TensorInfo) session.getInputInfo().get(input).getInfo()).getShape();
                long[] actual = shape.clone();
                actual[0] = rows;
                for (int i = 1; i < actual.length; i++) {
                    actual[i] = Math.max(actual[i], 1);
                }
                float[] values = new float[(int) Arrays.stream(actual).reduce(1, (a, b) -> a * b)];
                Arrays.fill(values, 1f);
                run(env, session, input, values, actual, System.nanoTime() + seconds * 1_000_000_000L);
                long start = System.nanoTime();
                long n = run(env, session, input, values, actual, start + seconds * 1_000_000_000L);
                double micros = (System.nanoTime() - start) / 1e3 / n;
                if (json) {
                    spec.commandLine().getOut().printf("{\"rows\": %d, \"runs\": %d, \"us_per_run\": %.3f}%n", rows, n, micros);
                } else {
                    spec.commandLine().getOut().printf("%s: %d rows, %d runs, %.2f us per run%n", file, rows, n, micros);
                }
            }
        }
        return 0;
    }

    /** Runs until {@code deadline}; returns how many runs. */
    private static long run(OrtEnvironment env, OrtSession session, String input, float[] values, long[] shape,
                            long deadline) throws Exception {
        long n = 0;
        while (System.nanoTime() < deadline) {
            try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(values.clone()), shape);
                 OrtSession.Result r = session.run(Map.of(input, t))) {
                for (Map.Entry<String, ai.onnxruntime.OnnxValue> o : r) {
                    Object copy = o.getValue().getValue();
                    if (copy == null) {
                        throw new IllegalStateException("output " + o.getKey() + ": null");
                    }
                }
            }
            n++;
        }
        return n;
    }
}
