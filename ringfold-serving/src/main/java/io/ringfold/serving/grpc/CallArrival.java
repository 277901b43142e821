package io.ringfold.serving.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Notes when a call began (its headers read), before gRPC parses its message, so that an inference's duration
 * counts the parse as the server's time, as HTTP's counts reading its JSON, and as the access log's duration does.
 */
final class CallArrival implements ServerInterceptor {

    private static final Context.Key<Long> NANOS = Context.key("ringfold-call-arrived-nanos");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        return Contexts.interceptCall(Context.current().withValue(NANOS, System.nanoTime()), call, headers, next);
    }

    /** When the current call began (System.nanoTime); now, outside an intercepted call. */
    static long nanos() {
        Long n = NANOS.get();
        return n != null ? n : System.nanoTime();
    }
}
