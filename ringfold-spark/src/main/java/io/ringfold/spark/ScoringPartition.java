package io.ringfold.spark;

import io.ringfold.data.Preprocessor;
import io.ringfold.model.Model;
import io.ringfold.nn.ForwardPass;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Kernels;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.io.Serializable;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Scores one partition on an executor: rows in batches of {@value #BATCH} through one forward pass
 * each, appending the raw prediction (logits; for one sigmoid output z, (-z, z) as MLlib), the class
 * probabilities, and the prediction (argmax, or argmax of p_k / t_k with per-class thresholds; P > threshold
 * for a binary model; the value for a regressor) as the columns
 * asked for. The model comes from a broadcast, decoded once per executor.
 */
final class ScoringPartition implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;
    static final int BATCH = 1024;

    /** The broadcast value: the model file's bytes, and the decoded model cached per executor. */
    static final class Payload implements Serializable {
        private static final long serialVersionUID = 1L;
        private final byte[] file;
        private transient Model model;

        Payload(byte[] file) {
            this.file = file;
        }

        synchronized Model model() {
            if (model == null) {
                model = ModelBytes.decode(file);
            }
            return model;
        }
    }

    private final Broadcast<Payload> payload;
    private final int featuresIndex;
    private final boolean raw;
    private final boolean probability;
    private final boolean prediction;
    private final double threshold;
    private final double[] thresholds;

    /** {@code threshold}: a binary model's on P(class 1); {@code thresholds}: per class, or null for the argmax. */
    ScoringPartition(Broadcast<Payload> payload, int featuresIndex, boolean raw, boolean probability,
                     boolean prediction, double threshold, double[] thresholds) {
        this.payload = payload;
        this.featuresIndex = featuresIndex;
        this.raw = raw;
        this.probability = probability;
        this.prediction = prediction;
        this.threshold = threshold;
        this.thresholds = thresholds;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        Model model = payload.value().model();
        Network net = model.network();
        Preprocessor pre = model.preprocessor();
        boolean identity = pre.isIdentity();
        int width = net.inputSize();
        int k = net.outputs();
        Blas blas = BlasSelection.createRequested(1);
        ForwardPass pass = new ForwardPass(net, BATCH);
        FloatMatrix x = new FloatMatrix(BATCH, width);
        Row[] rows = new Row[BATCH];
        float[] logits = new float[BATCH * k];
        return new Iterator<>() {
            int filled;
            int next;

            @Override
            public boolean hasNext() {
                if (next < filled) {
                    return true;
                }
                filled = 0;
                next = 0;
                java.util.Arrays.fill(x.data(), 0f);
                while (filled < BATCH && input.hasNext()) {
                    Row r = input.next();
                    copyFeatures(r, filled);
                    rows[filled++] = r;
                }
                if (filled == 0) {
                    return false;
                }
                // The prediction path: a row's outputs do not depend on the rows scored with it (docs/blas.md).
                model.logits(blas, x, filled, pass);
                System.arraycopy(pass.output(), 0, logits, 0, filled * k);
                pass.applyOutputActivation(filled);
                return true;
            }

            private void copyFeatures(Row r, int at) {
                if (r.isNullAt(featuresIndex)) {
                    throw new IllegalArgumentException("features: null (expected: a vector of size "
                            + pre.inputWidth() + ")");
                }
                Vector v = (Vector) r.get(featuresIndex);
                if (v.size() != pre.inputWidth()) {
                    throw new IllegalArgumentException("features: vector of size " + v.size() + " (expected: "
                            + pre.inputWidth() + ", as in training)");
                }
                float[] d = x.data();
                int base = at * width;
                if (!identity) {
                    double[] src = v.toArray();
                    float[] f = new float[src.length];
                    for (int i = 0; i < src.length; i++) {
                        f[i] = (float) src[i];
                    }
                    System.arraycopy(pre.transformRow(f), 0, d, base, width);
                } else if (v instanceof SparseVector s) {
                    int[] idx = s.indices();
                    double[] val = s.values();
                    for (int i = 0; i < idx.length; i++) {
                        d[base + idx[i]] = (float) val[i];
                    }
                } else {
                    double[] src = v.toArray();
                    for (int i = 0; i < width; i++) {
                        d[base + i] = (float) src[i];
                    }
                }
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int i = next++;
                Row r = rows[i];
                rows[i] = null;
                return append(r, i);
            }

            private Row append(Row r, int i) {
                int n = r.length();
                Object[] values = new Object[n + (raw ? 1 : 0) + (probability ? 1 : 0) + (prediction ? 1 : 0)];
                for (int c = 0; c < n; c++) {
                    values[c] = r.get(c);
                }
                float[] out = pass.output();
                boolean sigmoid = net.loss() == Loss.BINARY_CROSS_ENTROPY;
                if (raw) {
                    values[n++] = sigmoid ? Vectors.dense(-logits[i], logits[i]) : vector(logits, i * k, k);
                }
                if (probability) {
                    values[n++] = sigmoid ? Vectors.dense(1.0 - out[i], out[i]) : vector(out, i * k, k);
                }
                if (prediction) {
                    double p;
                    if (net.loss() == Loss.MSE) {
                        p = out[i * k];
                    } else if (sigmoid) {
                        p = out[i] > threshold ? 1 : 0;
                    } else if (thresholds != null) {
                        p = Thresholds.argmaxScaled(out, i * k, k, thresholds);
                    } else {
                        p = Kernels.argmax(out, i * k, k);
                    }
                    values[n] = p;
                }
                return RowFactory.create(values);
            }
        };
    }

    private static Vector vector(float[] a, int from, int k) {
        double[] d = new double[k];
        for (int j = 0; j < k; j++) {
            d[j] = a[from + j];
        }
        return Vectors.dense(d);
    }
}
