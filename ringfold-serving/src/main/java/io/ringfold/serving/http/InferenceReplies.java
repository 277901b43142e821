package io.ringfold.serving.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import io.ringfold.serving.inference.Outputs;
import io.ringfold.serving.inference.Signature;

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
    private static final SerializedString PROBABILITIES = new SerializedString(Signature.PROBABILITIES);
    private static final SerializedString CLASS = new SerializedString(Signature.CLASS);
    private static final SerializedString VALUE = new SerializedString(Signature.VALUE);
    private static final SerializedString FP32 = new SerializedString("FP32");
    private static final SerializedString BYTES = new SerializedString("BYTES");

    private InferenceReplies() {
    }

    /** A name or datatype as its constant when it has one. */
    private static void writeString(JsonGenerator g, String s) throws IOException {
        switch (s) {
            case Signature.PROBABILITIES -> g.writeString(PROBABILITIES);
            case Signature.CLASS -> g.writeString(CLASS);
            case Signature.VALUE -> g.writeString(VALUE);
            case "FP32" -> g.writeString(FP32);
            case "BYTES" -> g.writeString(BYTES);
            default -> g.writeString(s);
        }
    }

    /**
     * {@code {"model_name", "model_version", ["id",] ["parameters",] "outputs": [tensor, ...]}}, one tensor
     * per name in {@code names}: {@code {"name", "datatype", "shape", "data"}}.
     */
    static byte[] v2(String model, long version, String id, JsonNode parameters, List<String> names, Signature s,
                     Outputs out) {
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
            for (String name : names) {
                tensor(g, s, name, out);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a reply to memory", e);
        }
        return done(bytes);
    }

    private static void tensor(JsonGenerator g, Signature s, String name, Outputs out) throws IOException {
        g.writeStartObject();
        g.writeFieldName(NAME);
        writeString(g, name);
        g.writeFieldName(DATATYPE);
        writeString(g, s.outputDatatype(name));
        g.writeFieldName(SHAPE);
        g.writeStartArray();
        g.writeNumber(out.rows());
        boolean probabilities = Signature.PROBABILITIES.equals(name);
        if (probabilities) {
            g.writeNumber(s.classNames().size());
        }
        g.writeEndArray();
        g.writeFieldName(DATA);
        g.writeStartArray();
        for (int r = 0; r < out.rows(); r++) {
            if (probabilities) {
                for (float v : out.probabilities(r)) {
                    g.writeNumber(v);
                }
            } else if (Signature.CLASS.equals(name)) {
                g.writeString(out.className(r));
            } else {
                g.writeNumber(out.value(r));
            }
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * {@code {"predictions": [...]}}: per row {@code {"class", "probabilities"}} for a classifier,
     * {@code {"value"}} for a regressor.
     */
    static byte[] predictions(Signature s, Outputs out) {
        ByteArrayBuilder bytes = new ByteArrayBuilder(Json.MAPPER.getFactory()._getBufferRecycler());
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            g.writeFieldName(PREDICTIONS);
            g.writeStartArray();
            for (int r = 0; r < out.rows(); r++) {
                g.writeStartObject();
                if (s.classifier()) {
                    g.writeFieldName(CLASS);
                    g.writeString(out.className(r));
                    g.writeFieldName(PROBABILITIES);
                    g.writeStartArray();
                    for (float v : out.probabilities(r)) {
                        g.writeNumber(v);
                    }
                    g.writeEndArray();
                } else {
                    g.writeFieldName(VALUE);
                    g.writeNumber(out.value(r));
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a reply to memory", e);
        }
        return done(bytes);
    }

    /** The bytes, and the builder's buffer back to the recycler. */
    private static byte[] done(ByteArrayBuilder bytes) {
        byte[] b = bytes.toByteArray();
        bytes.release();
        return b;
    }
}
