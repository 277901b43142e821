package io.ringfold.serving.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.RawTensors;
import io.ringfold.serving.core.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The bodies of a v2 {@code infer} reply and of a TF Serving row-format {@code :predict} reply, written
 * straight to bytes with a generator: the same bytes as building the JSON tree and writing it, without the
 * tree (the replies are a third of the JSON work of an inference).
 */
final class InferenceReplies {

    // Names and fixed values as pre-quoted UTF-8: the generator copies their bytes instead of escaping
    // each character on every reply.
    private static final SerializedString MODEL_NAME = new SerializedString("model_name");
    private static final SerializedString MODEL_VERSION = new SerializedString("model_version");
    private static final SerializedString ID = new SerializedString("id");
    private static final SerializedString PARAMETERS = new SerializedString("parameters");
    private static final SerializedString OUTPUTS = new SerializedString("outputs");
    private static final SerializedString NAME = new SerializedString("name");
    private static final SerializedString DATATYPE = new SerializedString("datatype");
    private static final SerializedString SHAPE = new SerializedString("shape");
    private static final SerializedString DATA = new SerializedString("data");
    private static final SerializedString PREDICTIONS = new SerializedString("predictions");
    private static final SerializedString PROBABILITIES = new SerializedString("probabilities");
    private static final SerializedString CLASS = new SerializedString("class");
    private static final SerializedString VALUE = new SerializedString("value");
    private static final SerializedString FP32 = new SerializedString("FP32");
    private static final SerializedString BYTES = new SerializedString("BYTES");

    private InferenceReplies() {
    }

    /** A name or datatype as its constant when it has one. */
    private static void writeString(JsonGenerator g, String s) throws IOException {
        switch (s) {
            case "probabilities" -> g.writeString(PROBABILITIES);
            case "class" -> g.writeString(CLASS);
            case "value" -> g.writeString(VALUE);
            case "FP32" -> g.writeString(FP32);
            case "BYTES" -> g.writeString(BYTES);
            default -> g.writeString(s);
        }
    }

    /** In a set of binary outputs: every output. */
    static final String ALL = "*";

    /** A reply body: JSON, then binary output data when {@code jsonLength} is not -1. */
    record Body(byte[] bytes, int jsonLength) {
    }

    /**
     * {@code {"model_name", "model_version", ["id",] ["parameters",] "outputs": [tensor, ...]}}, each tensor
     * {@code {"name", "datatype", "shape", "data"}}.
     */
    static byte[] v2(String model, long version, String id, JsonNode parameters, List<Tensor> outputs) {
        return v2(model, version, id, parameters, outputs, java.util.Set.of()).bytes();
    }

    /**
     * As above; the outputs named in {@code binary} (or all, with {@link #ALL}) go as binary data after the
     * JSON, each with {@code "parameters": {"binary_data_size": n}} in place of {@code "data"} (Triton's
     * binary tensor data extension).
     */
    static Body v2(String model, long version, String id, JsonNode parameters, List<Tensor> outputs,
                   java.util.Set<String> binary) {
        List<byte[]> raw = new java.util.ArrayList<>();
        ByteArrayBuilder bytes = new ByteArrayBuilder(Json.MAPPER.getFactory()._getBufferRecycler());
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeFieldName(MODEL_NAME);
            g.writeString(model);
            g.writeFieldName(MODEL_VERSION);
            g.writeString(Long.toString(version));
            if (id != null) {
                g.writeFieldName(ID);
                g.writeString(id);
            }
            if (parameters != null) {
                g.writeFieldName(PARAMETERS);
                Json.MAPPER.writeTree(g, parameters);
            }
            g.writeFieldName(OUTPUTS);
            g.writeStartArray();
            for (Tensor t : outputs) {
                g.writeStartObject();
                g.writeFieldName(NAME);
                writeString(g, t.name());
                g.writeFieldName(DATATYPE);
                writeString(g, t.datatype().name());
                g.writeFieldName(SHAPE);
                g.writeStartArray();
                for (int d = 0; d < t.rank(); d++) {
                    g.writeNumber(t.dim(d));
                }
                g.writeEndArray();
                if (binary.contains(ALL) || binary.contains(t.name())) {
                    byte[] data = RawTensors.encode(t);
                    raw.add(data);
                    g.writeFieldName(PARAMETERS);
                    g.writeStartObject();
                    g.writeNumberField("binary_data_size", data.length);
                    g.writeEndObject();
                } else {
                    g.writeFieldName(DATA);
                    g.writeStartArray();
                    if (t.datatype() == DataType.FP32) {
                        for (float v : t.floats()) {
                            g.writeNumber(v);
                        }
                    } else {
                        for (int i = 0; i < t.elementCount(); i++) {
                            value(g, t, i);
                        }
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a reply to memory", e);
        }
        byte[] json = done(bytes);
        if (raw.isEmpty()) {
            return new Body(json, -1);
        }
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream(json.length + raw.stream()
                .mapToInt(r -> r.length).sum());
        all.writeBytes(json);
        raw.forEach(all::writeBytes);
        return new Body(all.toByteArray(), json.length);
    }

    /** Element {@code i} of {@code t} as JSON: a number, a boolean, or a BYTES element as UTF-8 text. */
    static void value(JsonGenerator g, Tensor t, int i) throws IOException {
        switch (t.datatype()) {
            case FP32, FP16, BF16 -> g.writeNumber(t.floats()[i]);
            case FP64 -> g.writeNumber(t.doubles()[i]);
            case INT8, INT16, INT32, UINT8, UINT16 -> g.writeNumber(t.ints()[i]);
            case INT64, UINT32 -> g.writeNumber(t.longs()[i]);
            case UINT64 -> g.writeNumber(JsonTensors.unsigned(t.longs()[i]));
            case BOOL -> g.writeBoolean(t.bools()[i]);
            case BYTES -> g.writeString(t.string(i));
        }
    }

    /**
     * The elements of {@code t} from {@code from} in the nesting of {@code dims} from dimension {@code d}: a
     * scalar when {@code d} is the rank, else nested arrays.
     */
    static int nested(JsonGenerator g, Tensor t, int d, int from) throws IOException {
        if (d == t.rank()) {
            value(g, t, from);
            return from + 1;
        }
        g.writeStartArray();
        int i = from;
        for (long k = 0; k < t.dim(d); k++) {
            i = nested(g, t, d + 1, i);
        }
        g.writeEndArray();
        return i;
    }

    /**
     * TensorFlow Serving's row format, {@code {"predictions": [...]}}: per row an object of every output's row
     * ({@code {"probabilities", "class"}} for a Ringfold classifier, {@code {"value"}} for a regressor, as
     * {@code ringfold predict} prints them), or the row itself when another backend's model has one output, as
     * TensorFlow Serving omits the name then.
     */
    static byte[] predictions(ModelSignature s, List<Tensor> out) {
        boolean named = named(s, out);
        int rows = out.isEmpty() || out.get(0).rank() == 0 ? 0 : (int) out.get(0).dim(0);
        ByteArrayBuilder bytes = new ByteArrayBuilder(Json.MAPPER.getFactory()._getBufferRecycler());
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeFieldName(PREDICTIONS);
            g.writeStartArray();
            int[] next = new int[out.size()];
            for (int r = 0; r < rows; r++) {
                if (named) {
                    g.writeStartObject();
                }
                for (int k = 0; k < out.size(); k++) {
                    Tensor t = out.get(k);
                    if (named) {
                        g.writeFieldName(t.name());
                    }
                    next[k] = nested(g, t, 1, next[k]);
                }
                if (named) {
                    g.writeEndObject();
                }
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a reply to memory", e);
        }
        return done(bytes);
    }

    /**
     * TensorFlow Serving's columnar format, {@code {"outputs": {name: value, ...}}}, or {@code {"outputs": value}}
     * for another backend's model with one output.
     */
    static byte[] columnar(ModelSignature s, List<Tensor> out) {
        boolean named = named(s, out);
        ByteArrayBuilder bytes = new ByteArrayBuilder(Json.MAPPER.getFactory()._getBufferRecycler());
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeFieldName(OUTPUTS);
            if (named) {
                g.writeStartObject();
            }
            for (Tensor t : out) {
                if (named) {
                    g.writeFieldName(t.name());
                }
                nested(g, t, 0, 0);
            }
            if (named) {
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a reply to memory", e);
        }
        return done(bytes);
    }

    /**
     * Whether TensorFlow Serving's replies name each output: always for a Ringfold model (as {@code ringfold
     * predict} prints), else when there are several, as TensorFlow Serving omits the name of a lone output.
     */
    private static boolean named(ModelSignature s, List<Tensor> out) {
        return out.size() > 1 || "ringfold".equals(s.platform());
    }

    /** The bytes, and the builder's buffer back to the recycler. */
    private static byte[] done(ByteArrayBuilder bytes) {
        byte[] b = bytes.toByteArray();
        bytes.release();
        return b;
    }
}
