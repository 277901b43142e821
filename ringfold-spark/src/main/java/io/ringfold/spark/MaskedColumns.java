package io.ringfold.spark;

import io.ringfold.data.ColumnMask;
import io.ringfold.data.ColumnMasks;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Where the masks of a {@link RingfoldMasker} act in a DataFrame's schema: for each input column, whether it is
 * kept, dropped, or replaced in place by its masked values (a string column for {@code redact}, {@code hmac} and
 * {@code date}, a double column for {@code bucket}), checked before any job: every masked column exists and has a
 * type its mask reads.
 *
 * @param actions      per input column: the mask to apply, or null to keep it as it is
 * @param outputSchema the schema of the masked rows
 */
record MaskedColumns(ColumnMask[] actions, StructType outputSchema) {

    static MaskedColumns of(StructType schema, ColumnMasks masks) {
        List<String> names = Arrays.asList(schema.fieldNames());
        List<String> missing = new ArrayList<>();
        masks.columns().keySet().forEach(c -> {
            if (!names.contains(c)) {
                missing.add(c);
            }
        });
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("mask: columns " + missing + " not in the data (expected: columns of "
                    + names + ")");
        }
        ColumnMask[] actions = new ColumnMask[names.size()];
        List<StructField> out = new ArrayList<>();
        for (int c = 0; c < actions.length; c++) {
            StructField f = schema.fields()[c];
            ColumnMask m = masks.columns().get(f.name());
            actions[c] = m;
            if (m == null) {
                out.add(f);
                continue;
            }
            check(f, m);
            switch (m.output()) {
                case NONE -> { }
                case CATEGORY -> out.add(new StructField(f.name(), DataTypes.StringType, true,
                        org.apache.spark.sql.types.Metadata.empty()));
                case NUMBER -> out.add(new StructField(f.name(), DataTypes.DoubleType, true,
                        org.apache.spark.sql.types.Metadata.empty()));
            }
        }
        return new MaskedColumns(actions, new StructType(out.toArray(StructField[]::new)));
    }

    /** The column's type is one the mask reads: cells are masked as the CSV reader masks their text. */
    private static void check(StructField f, ColumnMask m) {
        DataType t = f.dataType();
        boolean ok = switch (m.output()) {
            case NONE -> true;
            case NUMBER -> t instanceof NumericType || t instanceof StringType;
            case CATEGORY -> m instanceof ColumnMask.DateTruncation
                    ? t instanceof DateType || t instanceof TimestampType || t instanceof StringType
                    : t instanceof StringType || t instanceof NumericType || t instanceof BooleanType
                    || t instanceof DateType || t instanceof TimestampType;
        };
        if (!ok) {
            String expected = m.output() == ColumnMask.Output.NUMBER ? "a numeric or string column"
                    : m instanceof ColumnMask.DateTruncation ? "a date, timestamp or string column"
                    : "a string, numeric, boolean, date or timestamp column";
            throw new IllegalArgumentException("mask: column '" + f.name() + "' (masked " + m.id() + "): type "
                    + t.simpleString() + " (expected: " + expected + ")");
        }
    }
}
