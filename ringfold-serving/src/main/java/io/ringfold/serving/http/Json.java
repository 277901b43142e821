package io.ringfold.serving.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/** The server's JSON reader and writer. */
final class Json {

    /** Deepest nesting of arrays and objects in a request; the deepest valid request (nested data) needs a few. */
    static final int MAX_NESTING = 64;
    /** Longest number in a request, in characters; a float needs at most a few dozen, Jackson allows 1000. */
    static final int MAX_NUMBER_LENGTH = 1000;

    /**
     * Reads NaN and Infinity tokens so that they are refused with the tensor's name rather than as malformed
     * JSON; refuses duplicate keys, which would otherwise silently keep the last value.
     */
    static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING)
                            .maxNumberLength(MAX_NUMBER_LENGTH).build())
                    .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
                    .build())
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

    /**
     * Jackson's message for a passed limit (e.g. "Document nesting depth (65) exceeds the maximum allowed (64)"),
     * without the name of the Jackson method that sets it, which means nothing to a client.
     */
    static String limit(String m) {
        int cut = m.indexOf(", from `");
        return cut >= 0 ? m.substring(0, cut) + ")" : m;
    }

    /** The body as a JSON object, or a 400 naming what is wrong. */
    static JsonNode object(byte[] body) {
        if (body.length == 0) {
            throw new ApiException(400, "request body: empty (expected: a JSON object)");
        }
        JsonNode n;
        try {
            n = MAPPER.readTree(body);
        } catch (StreamConstraintsException e) {
            // A limit, not a syntax error: Jackson gives no location, and its message names its own API.
            throw new ApiException(400, "request body: " + limit(e.getOriginalMessage()));
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new ApiException(400, "malformed JSON: " + firstClause(e.getOriginalMessage())
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
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
