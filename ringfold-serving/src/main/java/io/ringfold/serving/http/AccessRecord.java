package io.ringfold.serving.http;

import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * One line of the access log, as captured on the event loop; formatted to JSON later, on the log's own
 * thread. Holds no header but the client's request id, and no body.
 *
 * @param epochMillis  when the complete request arrived
 * @param remote       the client's address
 * @param method       HTTP method
 * @param path         the path without the query string (queries may carry secrets)
 * @param status       HTTP status sent
 * @param bytesIn      request body bytes
 * @param bytesOut     response body bytes
 * @param micros       from the complete request to the response written to the socket
 * @param model        the model the path names, or null
 * @param version      the version that answered, else the one the path names, or null
 * @param requestId    the {@code X-Request-Id} header, or null
 */
record AccessRecord(long epochMillis, String remote, String method, String path, int status, long bytesIn,
                    long bytesOut, long micros, String model, String version, String requestId) implements AccessLog.Line {


    /** One JSON object, no line break (JSON escapes any in the values). */
    @Override
    public String toJson() {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(epochMillis).toString());
            g.writeStringField("remote", remote);
            g.writeStringField("method", method);
            g.writeStringField("path", AccessLog.Line.cut(path));
            g.writeNumberField("status", status);
            AccessLog.Line.writeTail(g, bytesIn, bytesOut, micros, model, version, requestId);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an access log line to memory", e);
        }
        return w.toString();
    }

    /**
     * The model and version a path names: {@code /v1/models/{m}[/versions/{v}]...},
     * {@code /v2/models/{m}[/versions/{v}]...}, {@code /v2/repository/models/{m}/...}; nulls otherwise.
     */
    static String[] modelAndVersion(String path) {
        String rest;
        if (path.startsWith("/v1/models/")) {
            rest = path.substring("/v1/models/".length());
        } else if (path.startsWith("/v2/models/")) {
            rest = path.substring("/v2/models/".length());
        } else if (path.startsWith("/v2/repository/models/")) {
            rest = path.substring("/v2/repository/models/".length());
        } else {
            return new String[2];
        }
        String[] seg = rest.split("/", 4);
        String model = beforeVerb(seg[0]);
        String version = seg.length >= 3 && seg[1].equals("versions") ? beforeVerb(seg[2]) : null;
        return new String[] {model.isEmpty() ? null : model, version};
    }

    /** {@code iris:predict} names model {@code iris} (TF Serving's verbs follow a colon). */
    private static String beforeVerb(String segment) {
        int colon = segment.indexOf(':');
        return colon < 0 ? segment : segment.substring(0, colon);
    }
}
