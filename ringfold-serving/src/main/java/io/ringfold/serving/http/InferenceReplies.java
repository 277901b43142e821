package io.ringfold.serving.http;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonGenerator;
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

    private InferenceReplies() {
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
            g.writeStringField("model_name", model);
            g.writeStringField("model_version", Long.toString(version));
            if (id != null) {
                g.writeStringField("id", id);
            }
            if (parameters != null) {
                g.writeFieldName("parameters");
                Json.MAPPER.writeTree(g, parameters);
            }
            g.writeArrayFieldStart("outputs");
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
        g.writeStringField("name", name);
        g.writeStringField("datatype", s.outputDatatype(name));
        g.writeArrayFieldStart("shape");
        g.writeNumber(out.rows());
        boolean probabilities = Signature.PROBABILITIES.equals(name);
        if (probabilities) {
            g.writeNumber(s.classNames().size());
        }
        g.writeEndArray();
        g.writeArrayFieldStart("data");
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
            g.writeArrayFieldStart("predictions");
            for (int r = 0; r < out.rows(); r++) {
                g.writeStartObject();
                if (s.classifier()) {
                    g.writeStringField(Signature.CLASS, out.className(r));
                    g.writeArrayFieldStart(Signature.PROBABILITIES);
                    for (float v : out.probabilities(r)) {
                        g.writeNumber(v);
                    }
                    g.writeEndArray();
                } else {
                    g.writeFieldName(Signature.VALUE);
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
