package io.ringfold.serving.http;

import java.nio.charset.StandardCharsets;

/**
 * A complete HTTP/1.1 response as bytes, for the handlers that answer before the HTTP codec (a refused
 * connection, plain HTTP on a TLS port): always {@code Connection: close}, with a JSON error body.
 */
final class RawResponse {

    private RawResponse() {
    }

    /** {@code HTTP/1.1 <status> <reason>} with body {@code {"error": "<message>"}}; message is plain ASCII. */
    static byte[] error(int status, String reason, String message, String... headers) {
        byte[] body = ("{\"error\":\"" + message.replace("\\", "\\\\").replace("\"", "\\\"") + "\"}")
                .getBytes(StandardCharsets.US_ASCII);
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason)
                .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(body.length)
                .append("\r\nConnection: close\r\n");
        for (String h : headers) {
            head.append(h).append("\r\n");
        }
        byte[] h = head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + body.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(body, 0, out, h.length, body.length);
        return out;
    }
}
