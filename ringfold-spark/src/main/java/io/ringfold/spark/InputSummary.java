package io.ringfold.spark;

import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import java.io.Serializable;

/**
 * What one pass over the input learns before training starts, aggregated over partitions in any
 * order: the row count, the vector sizes, how many vectors are sparse, the largest label, and the
 * first bad row (smallest global position) with what is wrong with it. Rows arrive as (row of
 * features and label, global position).
 */
final class InputSummary implements Serializable {

    private static final long serialVersionUID = 1L;

    private final boolean classification;
    /** Classes named by the label column's metadata, or 0 when it names none. */
    private final int metadataClasses;
    long rows;
    int minSize = Integer.MAX_VALUE;
    int maxSize = -1;
    long sparseRows;
    double maxLabel = Double.NEGATIVE_INFINITY;
    long badRow = Long.MAX_VALUE;
    String problem;

    InputSummary(boolean classification, int metadataClasses) {
        this.classification = classification;
        this.metadataClasses = metadataClasses;
    }

    InputSummary add(Tuple2<Row, Long> t) {
        Row r = t._1();
        long at = t._2();
        rows++;
        if (r.isNullAt(0)) {
            problem(at, "features: null (expected: a vector)");
            return this;
        }
        Vector v = (Vector) r.get(0);
        int size = v.size();
        minSize = Math.min(minSize, size);
        maxSize = Math.max(maxSize, size);
        if (v instanceof SparseVector) {
            sparseRows++;
        }
        double[] values = v instanceof SparseVector s ? s.values() : v.toArray();
        for (int i = 0; i < values.length; i++) {
            float f = (float) values[i];
            if (!Float.isFinite(f)) {
                problem(at, "feature value " + values[i] + (v instanceof SparseVector s ? " at index " + s.indices()[i]
                        : " at index " + i) + " (expected: finite as float32)");
                break;
            }
        }
        if (r.isNullAt(1)) {
            problem(at, "label: null (expected: a number)");
            return this;
        }
        double y = ((Number) r.get(1)).doubleValue();
        if (classification) {
            if (!(y >= 0 && y == Math.rint(y) && (metadataClasses == 0 || y < metadataClasses))) {
                problem(at, "label " + y + " (expected: a class index 0.."
                        + (metadataClasses == 0 ? "K-1" : metadataClasses - 1 + " from the label column's metadata") + ")");
            }
        } else if (!Float.isFinite((float) y)) {
            problem(at, "label " + y + " (expected: finite as float32)");
        }
        if (y > maxLabel) {
            maxLabel = y;
        }
        return this;
    }

    private void problem(long at, String what) {
        if (at < badRow) {
            badRow = at;
            problem = what;
        }
    }

    InputSummary merge(InputSummary o) {
        rows += o.rows;
        minSize = Math.min(minSize, o.minSize);
        maxSize = Math.max(maxSize, o.maxSize);
        sparseRows += o.sparseRows;
        maxLabel = Math.max(maxLabel, o.maxLabel);
        if (o.badRow < badRow) {
            badRow = o.badRow;
            problem = o.problem;
        }
        return this;
    }
}
