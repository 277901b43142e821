package io.ringfold.spark;

import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;

import java.io.Serializable;

/**
 * One training row on its way to its owner task: the label, the row's weight (1 without a weight column) and the
 * features as float32, dense ({@code indices == null}) or sparse (sorted column indices and their values).
 */
final class LabeledRow implements Serializable {

    private static final long serialVersionUID = 1L;

    final float label;
    final float weight;
    final int[] indices;
    final float[] values;

    private LabeledRow(float label, float weight, int[] indices, float[] values) {
        this.label = label;
        this.weight = weight;
        this.indices = indices;
        this.values = values;
    }

    /** Float32 as Ringfold trains; sparse only when {@code sparse} (all rows of the data set are sparse). */
    static LabeledRow of(Vector v, double label, double weight, boolean sparse) {
        if (sparse && v instanceof SparseVector s) {
            int[] idx = s.indices();
            double[] src = s.values();
            float[] values = new float[src.length];
            for (int i = 0; i < src.length; i++) {
                values[i] = (float) src[i];
            }
            return new LabeledRow((float) label, (float) weight, idx.clone(), values);
        }
        double[] src = v instanceof DenseVector d ? d.values() : v.toArray();
        float[] values = new float[src.length];
        for (int i = 0; i < src.length; i++) {
            values[i] = (float) src[i];
        }
        return new LabeledRow((float) label, (float) weight, null, values);
    }
}
