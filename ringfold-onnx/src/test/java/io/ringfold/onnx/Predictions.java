package io.ringfold.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.ringfold.model.Model;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.ReferenceBlas;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A model's outputs for a batch of raw rows, as the server names them: {@code probabilities} and {@code class}
 * of a classifier, {@code value} of a regressor; from Ringfold itself or from ONNX Runtime on the exported graph.
 */
record Predictions(float[][] probabilities, String[] classes, float[][] values) {

    /**
     * Exports {@code model}, runs the graph in ONNX Runtime on numeric raw {@code rows} (in the input's shape,
     * an image's for an image network) and checks its outputs against Ringfold's.
     */
    static void assertExportAgrees(Model model, float[][] rows) throws OrtException {
        byte[] onnx = OnnxExport.toBytes(model);
        int width = model.inputWidth();
        float[] flat = new float[rows.length * width];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * width, width);
        }
        int[] example = OnnxExport.inputShape(model);
        long[] shape = new long[example.length + 1];
        shape[0] = rows.length;
        for (int i = 0; i < example.length; i++) {
            shape[i + 1] = example[i];
        }
        ringfold(model, rows).assertAgreesWith(onnx(onnx, flat, shape));
    }

    /** Ringfold's outputs for numeric raw rows (NaN: missing), as the server computes them. */
    static Predictions ringfold(Model model, float[][] rows) {
        return of(model, model.predictRaw(new ReferenceBlas(), rows));
    }

    /** Ringfold's outputs for rows of text cells (a model with categorical columns), as the server computes them. */
    static Predictions ringfold(Model model, List<String[]> cells) {
        return of(model, model.predictPreprocessed(new ReferenceBlas(), model.preprocessor().parseAndTransform(cells)));
    }

    private static Predictions of(Model model, FloatMatrix out) {
        int n = out.rows();
        if (!model.isClassifier()) {
            float[][] v = new float[n][];
            for (int r = 0; r < n; r++) {
                v[r] = java.util.Arrays.copyOfRange(out.data(), r * out.cols(), (r + 1) * out.cols());
            }
            return new Predictions(null, null, v);
        }
        int[] cls = model.predictedClasses(out);
        float[][] p = new float[n][];
        String[] names = new String[n];
        for (int r = 0; r < n; r++) {
            p[r] = model.classProbabilities(out, r);
            names[r] = model.classNames().get(cls[r]);
        }
        return new Predictions(p, names, null);
    }

    /** ONNX Runtime's outputs for the exported {@code onnx} on FP32 rows of {@code shape} (row-major). */
    static Predictions onnx(byte[] onnx, float[] rows, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(rows), shape)) {
            return run(env, onnx, t);
        }
    }

    /** ONNX Runtime's outputs for the exported {@code onnx} on rows of text cells. */
    static Predictions onnx(byte[] onnx, List<String[]> cells) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int width = cells.get(0).length;
        String[] flat = new String[cells.size() * width];
        for (int r = 0; r < cells.size(); r++) {
            System.arraycopy(cells.get(r), 0, flat, r * width, width);
        }
        try (OnnxTensor t = OnnxTensor.createTensor(env, flat, new long[] {cells.size(), width})) {
            return run(env, onnx, t);
        }
    }

    private static Predictions run(OrtEnvironment env, byte[] onnx, OnnxTensor input) throws OrtException {
        try (OrtSession s = env.createSession(onnx, new OrtSession.SessionOptions());
             OrtSession.Result r = s.run(Map.of(OnnxExport.INPUT, input))) {
            if (r.get(OnnxExport.VALUE).isPresent()) {
                Object v = r.get(OnnxExport.VALUE).get().getValue();
                float[][] values;
                if (v instanceof float[] flat) {
                    values = new float[flat.length][];
                    for (int i = 0; i < flat.length; i++) {
                        values[i] = new float[] {flat[i]};
                    }
                } else {
                    values = (float[][]) v;
                }
                return new Predictions(null, null, values);
            }
            OnnxValue p = r.get(OnnxExport.PROBABILITIES).orElseThrow();
            OnnxValue c = r.get(OnnxExport.CLASS).orElseThrow();
            return new Predictions((float[][]) p.getValue(), (String[]) c.getValue(), null);
        }
    }

    /**
     * Every output of {@code onnx} within 1e-5 of this one's (absolute, or relative to values above 1), and the
     * classes equal.
     */
    void assertAgreesWith(Predictions onnx) {
        if (values != null) {
            assertThat(onnx.values.length).as("value rows").isEqualTo(values.length);
            assertClose("value", values, onnx.values);
            return;
        }
        assertThat(onnx.probabilities.length).as("probability rows").isEqualTo(probabilities.length);
        assertClose("probabilities", probabilities, onnx.probabilities);
        assertThat(onnx.classes).as("class").containsExactly(classes);
    }

    private static void assertClose(String what, float[][] expected, float[][] actual) {
        for (int r = 0; r < expected.length; r++) {
            assertThat(actual[r].length).as("%s row %d", what, r).isEqualTo(expected[r].length);
            for (int c = 0; c < expected[r].length; c++) {
                double e = expected[r][c];
                double tolerance = 1e-5 * Math.max(1, Math.abs(e));
                assertThat((double) actual[r][c]).as("%s[%d][%d]", what, r, c)
                        .isCloseTo(e, org.assertj.core.api.Assertions.within(tolerance));
            }
        }
    }
}
