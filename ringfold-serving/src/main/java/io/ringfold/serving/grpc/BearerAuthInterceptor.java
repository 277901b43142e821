package io.ringfold.serving.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.security.BearerToken;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The gRPC side of {@code --auth-token-file}: every call but ServerLive, ServerReady and
 * {@code grpc.health.v1.Health}'s Check and Watch must carry metadata {@code authorization: Bearer <token>},
 * checked by {@link BearerToken} (the same constant-time comparison as HTTP). The health RPCs stay open, as
 * the HTTP probes do, since Kubernetes' probes and load balancers' health checkers carry no token; they tell
 * only whether the server takes traffic. Server reflection is not open: it describes the whole API. A
 * refused call ends with UNAUTHENTICATED before any handler runs or any message is read.
 */
final class BearerAuthInterceptor implements ServerInterceptor {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private static final Set<String> OPEN = Set.of(
            GRPCInferenceServiceGrpc.getServerLiveMethod().getFullMethodName(),
            GRPCInferenceServiceGrpc.getServerReadyMethod().getFullMethodName(),
            HealthGrpc.getCheckMethod().getFullMethodName(),
            HealthGrpc.getWatchMethod().getFullMethodName());

    private final BearerToken token;

    BearerAuthInterceptor(BearerToken token) {
        this.token = token;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                        ServerCallHandler<Q, R> next) {
        if (OPEN.contains(call.getMethodDescriptor().getFullMethodName())) {
            return next.startCall(call, headers);
        }
        String refusal = refusal(headers);
        if (refusal == null) {
            return next.startCall(call, headers);
        }
        call.close(Status.UNAUTHENTICATED.withDescription(refusal), new Metadata());
        // The call is closed: whatever the client still sends is dropped.
        return new ServerCall.Listener<>() {
        };
    }

    /** Why the call is refused, or null when it carries the token. */
    private String refusal(Metadata headers) {
        Iterable<String> values = headers.getAll(AUTHORIZATION);
        List<String> list = new ArrayList<>(1);
        if (values != null) {
            values.forEach(list::add);
        }
        return switch (token.check(list)) {
            case ALLOWED -> null;
            case MISSING -> "authorization: no bearer token (expected: metadata authorization: Bearer <token>)";
            case INVALID_TOKEN -> "authorization: bearer token not valid (expected: the server's token)";
            case MALFORMED -> "authorization: malformed (expected: exactly one value, Bearer followed by one token "
                    + "of letters, digits, '-', '.', '_', '~', '+', '/' and trailing '=')";
        };
    }
}
