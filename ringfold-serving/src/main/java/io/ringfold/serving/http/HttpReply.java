package io.ringfold.serving.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A complete HTTP response: status, body, content type and extra headers.
 *
 * @param servedVersion the model version that computed the answer, or -1 (for the access log; never sent)
 */
public record HttpReply(int status, byte[] body, String contentType, Map<String, String> headers, long servedVersion) {

    static final String JSON_TYPE = "application/json";

    public static HttpReply json(int status, JsonNode body) {
        try {
            return new HttpReply(status, Json.MAPPER.writeValueAsBytes(body), JSON_TYPE, Map.of(), -1);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON tree: " + e.getMessage(), e);
        }
    }

    public static HttpReply ok(JsonNode body) {
        return json(200, body);
    }

    /** 200 with a JSON body already encoded (UTF-8). */
    public static HttpReply ok(byte[] json) {
        return new HttpReply(200, json, JSON_TYPE, Map.of(), -1);
    }

    /** {@code {"error": message}}, the error body of both protocols. */
    public static HttpReply error(int status, String message) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("error", message);
        return json(status, n);
    }

    public static HttpReply text(int status, String body, String contentType) {
        return new HttpReply(status, body.getBytes(StandardCharsets.UTF_8), contentType, Map.of(), -1);
    }

    public HttpReply withHeader(String name, String value) {
        Map<String, String> h = new java.util.TreeMap<>(headers);
        h.put(name, value);
        return new HttpReply(status, body, contentType, Map.copyOf(h), servedVersion);
    }

    /** This reply, marked as computed by model version {@code version}. */
    public HttpReply servedBy(long version) {
        return new HttpReply(status, body, contentType, headers, version);
    }
}
