package io.ringfold.serving.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/** The server's JSON reader and writer. */
final class Json {

    /**
     * Reads NaN and Infinity tokens so that they are refused with the tensor's name rather than as malformed
     * JSON; refuses duplicate keys, which would otherwise silently keep the last value.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Json() {
    }

    /** Jackson's message up to its own location details, which the caller gives more briefly. */
    private static String firstClause(String m) {
        int cut = m.indexOf(" (start marker");
        m = cut >= 0 ? m.substring(0, cut) : m;
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }

    /** The body as a JSON object, or a 400 naming what is wrong. */
    static JsonNode object(byte[] body) {
        if (body.length == 0) {
            throw new ApiException(400, "request body: empty (expected: a JSON object)");
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "malformed JSON: " + firstClause(e.getOriginalMessage()) + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr());
        } catch (IOException e) {
            throw new ApiException(400, "request body: unreadable: " + e.getMessage());
        }
        if (n == null || !n.isObject()) {
            throw new ApiException(400, "request body: " + (n == null ? "empty" : n.getNodeType().toString()
                    .toLowerCase(java.util.Locale.ROOT)) + " (expected: a JSON object)");
        }
        return n;
    }
}
