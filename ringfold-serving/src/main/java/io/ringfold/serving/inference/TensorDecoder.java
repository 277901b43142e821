package io.ringfold.serving.inference;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decodes one Open Inference Protocol input tensor (name, datatype, shape, data as JSON values) into
 * validated, preprocessed rows. Both v2 front ends use it: HTTP passes the request's JSON tensor, gRPC
 * its protobuf tensor turned into the same form, so both check alike and fail with the same messages.
 */
public final class TensorDecoder {

    /** Most elements the flattened data list is presized for (a 64-column batch of 128 rows). */
    private static final int PRESIZE_LIMIT = 8192;
    private static final Set<String> NUMERIC = Set.of("FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64",
            "UINT8", "UINT16", "UINT32", "UINT64");
    private static final Set<String> DATATYPES = Set.of("BOOL", "BYTES", "BF16", "FP16", "FP32", "FP64", "INT8",
            "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64");

    private TensorDecoder() {
    }

    /** Whether {@code datatype} is one of the numeric datatypes a model without categorical or text columns takes. */
    public static boolean isNumeric(String datatype) {
        return NUMERIC.contains(datatype);
    }

    /** Whether {@code datatype} takes integers only (INT* and UINT*), whose data may hold no fractional number. */
    public static boolean isIntegral(String datatype) {
        return datatype.startsWith("INT") || datatype.startsWith("UINT");
    }

    /** Checks the tensor's name, datatype, shape and element count against each other and the signature. */
    public static InferenceCall.Rows decode(Signature s, RowDecoder decoder, JsonNode in) {
        String where = "inputs[0]";
        if (!in.isObject()) {
            throw new BadInputException(where + ": " + typeName(in) + " (expected: a tensor object)");
        }
        String name = in.path("name").asText(null);
        if (!Signature.INPUT.equals(name)) {
            throw new BadInputException(where + ".name: " + (name == null ? "missing" : "'" + name + "'")
                    + " (expected: '" + Signature.INPUT + "')");
        }
        where = "input '" + Signature.INPUT + "'";
        String datatype = in.path("datatype").asText(null);
        if (datatype == null || !DATATYPES.contains(datatype)) {
            throw new BadInputException(where + ": datatype " + (datatype == null ? "missing" : "'" + datatype + "'")
                    + " (expected: " + s.inputDatatype() + ")");
        }
        boolean okType = s.takesStrings() ? "BYTES".equals(datatype) : NUMERIC.contains(datatype);
        if (!okType) {
            throw new BadInputException(where + ": datatype " + datatype + " (expected: " + s.inputDatatype()
                    + (s.takesStrings() ? ", the model has " + s.stringColumns() : " or another numeric type") + ")");
        }
        JsonNode shapeNode = in.get("shape");
        if (shapeNode == null || !shapeNode.isArray() || shapeNode.size() < 1
                || shapeNode.size() > s.exampleShape().length + 1) {
            throw new BadInputException(where + ": shape " + shapeNode + " (expected: " + s.expectedShapes() + ")");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || d.longValue() < 1) {
                throw new BadInputException(where + ": shape " + shapeNode + " (expected: " + s.expectedShapes()
                        + " with positive integers)");
            }
            shape[i] = d.longValue();
        }
        long rows = s.rows(shape);
        if (rows < 0) {
            throw new BadInputException(where + ": shape " + shapeNode + " (expected: " + s.expectedShapes()
                    + ", the model's " + s.width() + " input " + (s.exampleShape().length > 1 ? "values" : "columns")
                    + ")");
        }
        long width = s.width();
        // Divide rather than multiply: rows * width overflows for rows near Long.MAX_VALUE (width >= 1 here).
        if (rows > (Integer.MAX_VALUE / 2) / width) {
            throw new BadInputException(where + ": shape " + shapeNode + " (expected: fewer elements)");
        }
        JsonNode data = in.get("data");
        if (data == null || !data.isArray()) {
            throw new BadInputException(where + ": data " + typeName(data) + " (expected: an array)");
        }
        // The shape is the client's claim; the data, bounded by the body limit, may be far smaller. Presize
        // only up to what a typical batch needs, so a claimed [500000000, 2] allocates nothing large.
        List<JsonNode> flat = new ArrayList<>((int) Math.min(rows * width, PRESIZE_LIMIT));
        flatten(where, data, flat, (int) (rows * width) + 1);
        if (flat.size() != rows * width) {
            throw new BadInputException(where + ": data has " + (flat.size() > rows * width ? "more than " : "")
                    + flat.size() + " elements (expected: " + rows * width + " for shape " + shapeNode + ")");
        }
        boolean integral = isIntegral(datatype);
        for (int i = 0; i < flat.size(); i++) {
            JsonNode v = flat.get(i);
            boolean ok = "BYTES".equals(datatype) ? v.isTextual() || v.isNumber()
                    : v.isNumber() && (!integral || v.isIntegralNumber());
            if (!ok) {
                throw new BadInputException(where + ": data[" + i + "] is " + typeName(v) + " " + v
                        + " (expected: " + ("BYTES".equals(datatype) ? "a string" : integral ? "an integer" : "a number")
                        + " for datatype " + datatype + ")");
            }
            if (integral && !fits(datatype, v)) {
                throw new BadInputException(where + ": data[" + i + "] is " + v + " (expected: an integer "
                        + IntegerRange.of(datatype) + " for datatype " + datatype + ")");
            }
        }
        List<List<JsonNode>> table = new ArrayList<>((int) rows);
        for (int r = 0; r < rows; r++) {
            table.add(flat.subList((int) (r * width), (int) ((r + 1) * width)));
        }
        return new InferenceCall.Rows(decoder.decode(where, table), (int) rows);
    }

    /** Whether the integral node {@code v} is a value of the integer datatype {@code datatype}. */
    private static boolean fits(String datatype, JsonNode v) {
        IntegerRange r = IntegerRange.of(datatype);
        return v.canConvertToLong() ? r.contains(v.longValue()) : r.contains(v.bigIntegerValue());
    }

    /** Row-major flattening of nested arrays; stops once {@code limit} elements are seen. */
    private static void flatten(String where, JsonNode n, List<JsonNode> out, int limit) {
        for (JsonNode e : n) {
            if (out.size() >= limit) {
                return;
            }
            if (e.isArray()) {
                flatten(where, e, out, limit);
            } else if (e.isObject()) {
                throw new BadInputException(where + ": data holds an object (expected: values or nested arrays)");
            } else {
                out.add(e);
            }
        }
    }

    /** The JSON type of a node for error messages ({@code missing} when absent). */
    public static String typeName(JsonNode n) {
        return n == null || n.isMissingNode() ? "missing" : n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
}
