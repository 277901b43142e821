package io.ringfold.serving.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.Tensor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The body of a v2 {@code infer} request, checked: what the reply echoes ({@code id}, {@code parameters}),
 * the outputs asked for, and its input tensors, decoded when the addressed version is held (so an unknown
 * model is named before a bad tensor).
 *
 * <p>{@link #parse} first streams the body ({@link #streamed}): for the common request (known fields, one
 * tensor of plain numbers) no tree is built and values go straight into a {@code float[]}. Anything else,
 * malformed JSON included, takes the tree path ({@link #tree}), which alone decides every error, so both
 * paths answer alike; the streamed one only ever accepts what the tree path accepts, with the same result.
 *
 * @param id         the request id, or null
 * @param parameters the request's parameters object, or null
 * @param outputs    the {@code outputs} array as sent, or null for all outputs
 */
record V2InferRequest(String id, JsonNode parameters, JsonNode outputs, Supplier<List<Tensor>> inputs) {

    private static final List<String> FIELDS = List.of("id", "parameters", "inputs", "outputs");

    /** The request, or ApiException (400) naming what is wrong with it. */
    static V2InferRequest parse(byte[] body) {
        V2InferRequest r = scanned(body);
        if (r == null) {
            r = streamed(body);
        }
        return r != null ? r : tree(body);
    }

    /** The request read as a JSON tree; every malformed or unexpected body is refused here, by name. */
    static V2InferRequest tree(byte[] body) {
        JsonNode req = Json.object(body);
        for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new ApiException(400, "request: unknown field '" + f + "' (expected: id, parameters, inputs, outputs)");
            }
        }
        JsonNode id = req.get("id");
        if (id != null && !id.isTextual()) {
            throw new ApiException(400, "id: " + JsonTensors.typeName(id) + " (expected: a string)");
        }
        JsonNode params = req.get("parameters");
        if (params != null && !params.isObject()) {
            throw new ApiException(400, "parameters: " + JsonTensors.typeName(params) + " (expected: an object)");
        }
        JsonNode inputs = req.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.isEmpty()) {
            throw new ApiException(400, "inputs: " + (inputs != null && inputs.isArray() ? "0 tensors"
                    : JsonTensors.typeName(inputs)) + " (expected: an array of tensors)");
        }
        return new V2InferRequest(id == null ? null : id.textValue(), params, req.get("outputs"), () -> tensors(inputs));
    }

    /** Every tensor of the {@code inputs} array, each name once. */
    private static List<Tensor> tensors(JsonNode inputs) {
        List<Tensor> out = new ArrayList<>(inputs.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = JsonTensors.v2(inputs.get(i), i);
            if (!names.add(t.name())) {
                throw new BadInputException("inputs[" + i + "].name: '" + t.name() + "' given twice (expected: each input once)");
            }
            out.add(t);
        }
        return out;
    }

    /**
     * The request scanned as plain JSON ({@link PlainJson}), or null when it is not plain or has fields other
     * than {@code id} and {@code inputs} (then {@link #streamed} reads it).
     */
    static V2InferRequest scanned(byte[] body) {
        PlainJson j = new PlainJson(body);
        if (!j.take('{')) {
            return null;
        }
        String id = null;
        StreamedTensor tensor = null;
        do {
            String field = j.key();
            if (field == null) {
                return null;
            }
            switch (field) {
                case "id" -> {
                    if (id != null || (id = j.string()) == null) {
                        return null;
                    }
                }
                case "inputs" -> {
                    if (tensor != null || !j.take('[') || (tensor = StreamedTensor.scan(j)) == null || !j.take(']')) {
                        return null;
                    }
                }
                default -> {
                    return null;
                }
            }
        } while (j.take(','));
        // Content after the closing brace is not read, as the tree path (Jackson's readTree) leaves it.
        return j.take('}') && tensor != null ? of(id, null, null, tensor, body) : null;
    }

    /** A request whose tensor was read without a tree; a tensor the fast path cannot take is decoded by the tree path. */
    private static V2InferRequest of(String id, JsonNode params, JsonNode outputs, StreamedTensor tensor, byte[] body) {
        Tensor t = tensor.tensor();
        return new V2InferRequest(id, params, outputs, t != null ? () -> List.of(t) : () -> tree(body).inputs().get());
    }

    /**
     * The request read as a stream, or null when the body is not of the common form (or not JSON at all):
     * only the fields {@link #tree} allows, each of the type it requires, and one input tensor. A tensor that
     * the fast path cannot take (not FP32, a count that disagrees with the shape) is decoded by the tree path.
     */
    static V2InferRequest streamed(byte[] body) {
        try (JsonParser p = Json.MAPPER.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String id = null;
            JsonNode params = null;
            JsonNode outputs = null;
            StreamedTensor tensor = null;
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "id" -> {
                        if (v != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        id = p.getText();
                    }
                    case "parameters" -> {
                        if (v != JsonToken.START_OBJECT) {
                            return null;
                        }
                        params = p.readValueAsTree();
                    }
                    case "outputs" -> {
                        if (v != JsonToken.START_ARRAY) {
                            return null;
                        }
                        outputs = p.readValueAsTree();
                    }
                    case "inputs" -> {
                        if (v != JsonToken.START_ARRAY || p.nextToken() != JsonToken.START_OBJECT) {
                            return null;
                        }
                        tensor = StreamedTensor.read(p);
                        if (tensor == null || p.nextToken() != JsonToken.END_ARRAY) {
                            return null;
                        }
                    }
                    default -> {
                        return null;
                    }
                }
            }
            // Content after the closing brace is not read, as the tree path (Jackson's readTree) leaves it.
            if (t != JsonToken.END_OBJECT || tensor == null) {
                return null;
            }
            return of(id, params, outputs, tensor, body);
        } catch (IOException e) {
            // Malformed JSON, a duplicate key, a limit exceeded: the tree path reads the body again and names it.
            return null;
        }
    }
}
