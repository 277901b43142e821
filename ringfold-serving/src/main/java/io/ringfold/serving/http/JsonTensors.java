package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.Tensor;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * JSON values decoded straight into {@link Tensor}s, and the checks that come with them: a v2 tensor object
 * ({@code name}, {@code datatype}, {@code shape}, {@code data}), and the values of TensorFlow Serving's
 * {@code instances} and {@code inputs}, whose datatype is the model's. Every value is checked against its
 * datatype (an integer in range, a number within FP32's range, a string or {@code {"b64": ...}} for BYTES),
 * and the element count against the shape, before anything is computed.
 */
final class JsonTensors {

    /** Most elements the flattened data list is presized for (a 64-column batch of 128 rows). */
    private static final int PRESIZE_LIMIT = 8192;

    private JsonTensors() {
    }

    /** The v2 tensor object {@code in}, the {@code index}-th of the request's inputs. */
    static Tensor v2(JsonNode in, int index) {
        String where = "inputs[" + index + "]";
        if (!in.isObject()) {
            throw new BadInputException(where + ": " + typeName(in) + " (expected: a tensor object)");
        }
        JsonNode nameNode = in.get("name");
        if (nameNode == null || !nameNode.isTextual()) {
            throw new BadInputException(where + ".name: " + typeName(nameNode) + " (expected: a string)");
        }
        String name = nameNode.textValue();
        where = "input '" + name + "'";
        String datatypeText = in.path("datatype").asText(null);
        DataType datatype = DataType.parse(datatypeText);
        if (datatype == null) {
            throw new BadInputException(where + ": datatype " + (datatypeText == null ? "missing" : "'" + datatypeText + "'")
                    + " (expected: one of " + Arrays.toString(DataType.values()) + ")");
        }
        JsonNode shapeNode = in.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new BadInputException(where + ": shape " + typeName(shapeNode) + " (expected: an array of dimensions)");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.longValue() < 0) {
                throw new BadInputException(where + ": shape " + shapeNode + " (expected: non-negative integers)");
            }
            shape[i] = d.longValue();
        }
        long count = Tensor.elementCount(shape);
        if (count < 0) {
            throw new BadInputException(where + ": shape " + shapeNode + " (expected: at most " + Integer.MAX_VALUE
                    + " elements)");
        }
        JsonNode data = in.get("data");
        if (data == null || !data.isArray()) {
            throw new BadInputException(where + ": data " + typeName(data) + " (expected: an array)");
        }
        // The shape is the client's claim; the data, bounded by the body limit, may be far smaller. Presize
        // only up to what a typical batch needs, so a claimed [500000000, 2] allocates nothing large.
        List<JsonNode> flat = new ArrayList<>((int) Math.min(count, PRESIZE_LIMIT));
        flatten(where, data, flat, count + 1);
        if (flat.size() != count) {
            throw new BadInputException(where + ": data has " + (flat.size() > count ? "more than " : "")
                    + flat.size() + " elements (expected: " + count + " for shape " + shapeNode + ")");
        }
        return values(where, name, datatype, shape, flat);
    }

    /** {@code values} (row-major, their count checked) as a tensor of {@code datatype}. */
    static Tensor values(String where, String name, DataType datatype, long[] shape, List<JsonNode> values) {
        int n = values.size();
        Object data = switch (datatype.storage().getSimpleName()) {
            case "float[]" -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = floatValue(where, datatype, i, values.get(i));
                }
                yield a;
            }
            case "double[]" -> {
                double[] a = new double[n];
                for (int i = 0; i < n; i++) {
                    a[i] = number(where, datatype, i, values.get(i)).doubleValue();
                }
                yield a;
            }
            case "int[]" -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (int) integer(where, datatype, i, values.get(i));
                }
                yield a;
            }
            case "long[]" -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = integer(where, datatype, i, values.get(i));
                }
                yield a;
            }
            case "boolean[]" -> {
                boolean[] a = new boolean[n];
                for (int i = 0; i < n; i++) {
                    JsonNode v = values.get(i);
                    if (!v.isBoolean()) {
                        throw mismatch(where, i, v, "true or false", datatype);
                    }
                    a[i] = v.booleanValue();
                }
                yield a;
            }
            default -> {
                byte[][] a = new byte[n][];
                for (int i = 0; i < n; i++) {
                    a[i] = bytes(where, i, values.get(i));
                }
                yield a;
            }
        };
        return new Tensor(name, datatype, shape, data);
    }

    private static JsonNode number(String where, DataType datatype, int i, JsonNode v) {
        if (!v.isNumber()) {
            throw mismatch(where, i, v, "a number", datatype);
        }
        return v;
    }

    /**
     * A JSON number as the float {@code Float.parseFloat} gives for its text: directly where that is provably
     * the same (integers, and doubles that are exactly a float), through the text otherwise, so that a value
     * has the same bits whichever path read it.
     */
    private static float floatValue(String where, DataType datatype, int i, JsonNode v) {
        number(where, datatype, i, v);
        float f;
        if (v.isInt()) {
            f = v.intValue();
        } else if (v.isLong()) {
            f = v.longValue();
        } else {
            double d = v.doubleValue();
            f = (float) d;
            if (f != d) {
                f = Float.parseFloat(v.asText());
            }
        }
        if (!Float.isFinite(f)) {
            throw new BadInputException(where + ": data[" + i + "] is " + v.asText() + " (expected: a number within "
                    + datatype + " range)");
        }
        return f;
    }

    private static long integer(String where, DataType datatype, int i, JsonNode v) {
        if (!v.isIntegralNumber()) {
            throw mismatch(where, i, v, "an integer", datatype);
        }
        boolean fits = v.canConvertToLong() ? datatype.contains(v.longValue()) : datatype.contains(v.bigIntegerValue());
        if (!fits) {
            throw new BadInputException(where + ": data[" + i + "] is " + v + " (expected: an integer from "
                    + datatype.min() + " to " + datatype.max() + " for datatype " + datatype + ")");
        }
        return v.canConvertToLong() ? v.longValue() : v.bigIntegerValue().longValue();
    }

    /**
     * A BYTES element: a string as UTF-8, {@code {"b64": "..."}} as its bytes (TensorFlow Serving's form for
     * binary data), a number as its JSON text and null as empty (a missing value, as pandas writes NaN).
     */
    private static byte[] bytes(String where, int i, JsonNode v) {
        if (v.isTextual()) {
            return v.textValue().getBytes(StandardCharsets.UTF_8);
        }
        if (v.isNumber()) {
            return v.asText().getBytes(StandardCharsets.UTF_8);
        }
        if (v.isNull()) {
            return new byte[0];
        }
        if (v.isObject() && v.size() == 1 && v.has("b64")) {
            JsonNode b = v.get("b64");
            if (b.isTextual()) {
                try {
                    return Base64.getDecoder().decode(b.textValue());
                } catch (IllegalArgumentException e) {
                    throw new BadInputException(where + ": data[" + i + "].b64: " + e.getMessage()
                            + " (expected: standard base64)");
                }
            }
        }
        throw mismatch(where, i, v, "a string or {\"b64\": ...}", DataType.BYTES);
    }

    private static BadInputException mismatch(String where, int i, JsonNode v, String expected, DataType datatype) {
        return new BadInputException(where + ": data[" + i + "] is " + typeName(v) + " " + v + " (expected: " + expected
                + " for datatype " + datatype + ")");
    }

    /**
     * Row-major flattening of nested arrays; stops once {@code limit} elements are seen. A {@code {"b64": ...}}
     * object is one value.
     */
    static void flatten(String where, JsonNode n, List<JsonNode> out, long limit) {
        for (JsonNode e : n) {
            if (out.size() >= limit) {
                return;
            }
            if (e.isArray()) {
                flatten(where, e, out, limit);
            } else if (e.isObject() && !e.has("b64")) {
                throw new BadInputException(where + ": data holds an object (expected: values or nested arrays)");
            } else {
                out.add(e);
            }
        }
    }

    /** The shape of a JSON value made of nested arrays (the first element's at each depth): {@code []} for a scalar. */
    static long[] shapeOf(JsonNode v) {
        List<Long> dims = new ArrayList<>();
        JsonNode n = v;
        while (n.isArray()) {
            dims.add((long) n.size());
            if (n.isEmpty()) {
                break;
            }
            n = n.get(0);
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** The JSON type of a node for error messages ({@code missing} when absent). */
    static String typeName(JsonNode n) {
        return n == null || n.isMissingNode() ? "missing" : n.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** The number that UINT64's 64 bits {@code v} stand for. */
    static BigInteger unsigned(long v) {
        return new BigInteger(Long.toUnsignedString(v));
    }
}
