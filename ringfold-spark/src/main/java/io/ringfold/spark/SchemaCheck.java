package io.ringfold.spark;

import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

/** Schema checks run before any job: the columns exist and have the types training and scoring need. */
final class SchemaCheck {

    private SchemaCheck() {
    }

    /** The features column is an ml Vector and, when {@code withLabel}, the label column is numeric. */
    static void input(StructType schema, String featuresCol, String labelCol, boolean withLabel) {
        DataType f = type(schema, featuresCol, "featuresCol");
        if (!(f instanceof VectorUDT)) {
            throw new IllegalArgumentException("featuresCol '" + featuresCol + "': type " + f.simpleString()
                    + " (expected: an org.apache.spark.ml.linalg.Vector column; assemble one with VectorAssembler)");
        }
        if (withLabel) {
            DataType l = type(schema, labelCol, "labelCol");
            if (!(l instanceof NumericType)) {
                throw new IllegalArgumentException("labelCol '" + labelCol + "': type " + l.simpleString()
                        + " (expected: a numeric column; index string labels with StringIndexer)");
            }
        }
    }

    /** Column {@code column}, named by Param {@code param}, exists and is numeric. */
    static void numeric(StructType schema, String column, String param) {
        DataType t = type(schema, column, param);
        if (!(t instanceof NumericType)) {
            throw new IllegalArgumentException(param + " '" + column + "': type " + t.simpleString()
                    + " (expected: a numeric column)");
        }
    }

    private static DataType type(StructType schema, String column, String param) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(param + " '" + column + "': no such column (expected: one of "
                    + Arrays.toString(schema.fieldNames()) + ")");
        }
        return schema.apply(column).dataType();
    }

    /** {@code schema} plus the named output columns ('' skips one), none of which may exist yet. */
    static StructType withOutputs(StructType schema, String rawPredictionCol, String probabilityCol,
                                  String predictionCol) {
        StructType out = schema;
        out = add(out, rawPredictionCol, new VectorUDT(), "rawPredictionCol");
        out = add(out, probabilityCol, new VectorUDT(), "probabilityCol");
        out = add(out, predictionCol, DataTypes.DoubleType, "predictionCol");
        return out;
    }

    private static StructType add(StructType schema, String column, DataType type, String param) {
        if (column == null || column.isEmpty()) {
            return schema;
        }
        if (Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(param + " '" + column + "': the column exists already (expected: a new "
                    + "column name, or '' to skip it)");
        }
        return schema.add(new StructField(column, type, false, org.apache.spark.sql.types.Metadata.empty()));
    }
}
