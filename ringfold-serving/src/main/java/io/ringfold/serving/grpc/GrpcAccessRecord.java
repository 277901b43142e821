package io.ringfold.serving.grpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.ringfold.serving.http.AccessLog;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;

/**
 * One gRPC call's access log line, the fields of an HTTP line where they mean the same thing, plus
 * {@code "protocol": "grpc"} and the call's gRPC status (by name; its code beside it), since gRPC answers
 * every call with HTTP 200 and puts the outcome in the trailers.
 *
 * @param epochMillis when the call's headers arrived
 * @param remote      the client's address
 * @param method      the full method name, e.g. {@code inference.GRPCInferenceService/ModelInfer}
 * @param status      the gRPC status code the call ended with
 * @param bytesIn     request message bytes (serialized protobuf, without gRPC framing or HTTP/2 headers)
 * @param bytesOut    response message bytes, likewise
 * @param micros      from the call's headers to its end handed to the transport
 * @param model       the model the request names, or null
 * @param version     the version that answered (ModelInfer), else the one the request names, or null
 * @param requestId   the {@code x-request-id} metadata, or null
 */
record GrpcAccessRecord(long epochMillis, String remote, String method, io.grpc.Status.Code status, long bytesIn,
                        long bytesOut, long micros, String model, String version, String requestId)
        implements AccessLog.Line {

    private static final JsonFactory JSON = new JsonFactory();

    @Override
    public String toJson() {
        StringWriter w = new StringWriter(256);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeStringField("time", Instant.ofEpochMilli(epochMillis).toString());
            g.writeStringField("protocol", "grpc");
            g.writeStringField("remote", remote);
            g.writeStringField("method", method);
            g.writeStringField("status", status.name());
            g.writeNumberField("grpc_code", status.value());
            AccessLog.Line.writeTail(g, bytesIn, bytesOut, micros, model, version, requestId);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an access log line to memory", e);
        }
        return w.toString();
    }
}
