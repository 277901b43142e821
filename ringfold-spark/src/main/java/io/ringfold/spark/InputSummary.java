package io.ringfold.spark;

import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;

import java.io.Serializable;

/**
 * What one pass over the input learns before training starts, aggregated over partitions in any
 * order: the row count, the vector sizes, how many vectors are sparse, the largest label, and the
 * first bad row (smallest global position) with what is wrong with it (a row weight, when the rows have a
 * third column, must be finite and >= 0).
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


    /** Counts and checks row {@code r} at position {@code at}. */
    InputSummary add(Row r, long at) {
        count();
        if (r.isNullAt(0)) {
            nullFeatures(at);
            return this;
        }
        Vector v = (Vector) r.get(0);
        vector(v.size(), v instanceof SparseVector);
        double[] values = v instanceof SparseVector s ? s.values() : v.toArray();
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite((float) values[i])) {
                badFeature(at, values[i], v instanceof SparseVector s ? s.indices()[i] : i);
                break;
            }
        }
        if (r.isNullAt(1)) {
            nullLabel(at);
            return this;
        }
        label(at, ((Number) r.get(1)).doubleValue());
        if (r.length() > 2) {
            if (r.isNullAt(2)) {
                problem(at, "weight: null (expected: a number)");
            } else {
                double w = ((Number) r.get(2)).doubleValue();
                if (!(w >= 0) || !Float.isFinite((float) w)) {
                    problem(at, "weight " + w + " (expected: finite and >= 0)");
                }
            }
        }
        return this;
    }

    // The checks one by one, in the order add() makes them, for readers that take rows apart themselves
    // (PartitionBlock): the first problem recorded for a row is the one reported.

    void count() {
        rows++;
    }

    void nullFeatures(long at) {
        problem(at, "features: null (expected: a vector)");
    }

    void vector(int size, boolean sparse) {
        minSize = Math.min(minSize, size);
        maxSize = Math.max(maxSize, size);
        if (sparse) {
            sparseRows++;
        }
    }

    /** A value that is not finite as float32, at feature index {@code index}. */
    void badFeature(long at, double value, int index) {
        problem(at, "feature value " + value + " at index " + index + " (expected: finite as float32)");
    }

    void nullLabel(long at) {
        problem(at, "label: null (expected: a number)");
    }

    void label(long at, double y) {
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
    }

    private void problem(long at, String what) {
        if (at < badRow) {
            badRow = at;
            problem = what;
        }
    }

    /** This summary as one token without spaces (Base64 of its serialized form), for a barrier all-gather. */
    String encode() {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(this);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return java.util.Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    static InputSummary decode(String token) {
        byte[] bytes = java.util.Base64.getDecoder().decode(token);
        try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes))) {
            return (InputSummary) in.readObject();
        } catch (java.io.IOException | ClassNotFoundException e) {
            throw new IllegalStateException("input summary from another task: " + e.getMessage(), e);
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
