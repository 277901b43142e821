package io.ringfold.spark;

import io.ringfold.data.ColumnMask;
import io.ringfold.data.ColumnMasks;
import io.ringfold.data.MaskKey;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Masks the rows of one partition on an executor with the one implementation of the masks
 * ({@link ColumnMasks#maskCategory}, {@link ColumnMasks#maskNumber}): a cell is turned into the text the CSV reader
 * would have read (numbers in plain decimal notation, dates in ISO form) and masked as that text, so a column
 * read as strings gets the pseudonyms and buckets of {@code ringfold train --mask}. A null cell stays null.
 * The key travels in this task: Spark broadcasts a stage's serialized tasks, and a broadcast block may spill to
 * the executors' local directories (docs/spark.md says how to encrypt both the wire and those).
 */
final class MaskingPartition implements MapPartitionsFunction<Row, Row> {

    private static final long serialVersionUID = 1L;

    private final String spec;
    private final MaskKey key; // null without an hmac column
    private final String[] names;
    /** Per input column what its mask outputs, or null to keep it; the enum, since masks are not Serializable. */
    private final ColumnMask.Output[] outputs;

    MaskingPartition(ColumnMasks masks, MaskKey key, String[] names, ColumnMask[] actions) {
        this.spec = masks.spec();
        this.key = key;
        this.names = names.clone();
        this.outputs = new ColumnMask.Output[actions.length];
        for (int c = 0; c < actions.length; c++) {
            outputs[c] = actions[c] == null ? null : actions[c].output();
        }
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        ColumnMasks parsed = ColumnMasks.parse(spec);
        ColumnMasks masks = key == null ? parsed : parsed.withKey(key);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return input.hasNext();
            }

            @Override
            public Row next() {
                Row r = input.next();
                List<Object> out = new ArrayList<>(outputs.length);
                for (int c = 0; c < outputs.length; c++) {
                    ColumnMask.Output m = outputs[c];
                    if (m == null) {
                        out.add(r.get(c));
                    } else if (m == ColumnMask.Output.CATEGORY) {
                        String cell = text(r.get(c));
                        out.add(cell == null ? null : masks.maskCategory(names[c], cell));
                    } else if (m == ColumnMask.Output.NUMBER) {
                        String cell = text(r.get(c));
                        float v = cell == null ? Float.NaN : masks.maskNumber(names[c], cell);
                        out.add(Float.isNaN(v) ? null : (double) v);
                    }
                }
                return RowFactory.create(out.toArray());
            }
        };
    }

    /** The cell as CSV text: null for null and NaN (Spark's missing values). */
    static String text(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Double d) {
            return d.isNaN() ? null : d.isInfinite() ? d.toString() : BigDecimal.valueOf(d).toPlainString();
        }
        if (v instanceof Float f) {
            return f.isNaN() ? null : f.isInfinite() ? f.toString() : new BigDecimal(f.toString()).toPlainString();
        }
        if (v instanceof BigDecimal b) {
            return b.toPlainString();
        }
        if (v instanceof java.sql.Date d) {
            return d.toLocalDate().toString();
        }
        if (v instanceof java.sql.Timestamp t) {
            return t.toLocalDateTime().toString();
        }
        return v.toString(); // strings, integers, booleans, java.time dates and instants
    }
}
