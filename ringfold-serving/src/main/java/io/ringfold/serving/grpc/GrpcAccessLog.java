package io.ringfold.serving.grpc;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import io.ringfold.serving.grpc.v2.ModelMetadataRequest;
import io.ringfold.serving.grpc.v2.ModelReadyRequest;
import io.ringfold.serving.http.AccessLog;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The gRPC side of {@code --access-log}: one line per call into the same {@link AccessLog} as HTTP, with
 * the method, model and version, gRPC status, message bytes, duration, peer and {@code x-request-id}. It is
 * the outermost interceptor, so calls refused by the token check or as unparsable are logged too. A call
 * the client cancels before the server answers is logged as CANCELLED.
 */
final class GrpcAccessLog implements ServerInterceptor {

    static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);

    private final AccessLog log;

    GrpcAccessLog(AccessLog log) {
        this.log = log;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        Call<Q, R> logged = new Call<>(call, headers.get(REQUEST_ID));
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(logged, headers)) {
            @Override
            public void onMessage(Q message) {
                logged.request(message);
                super.onMessage(message);
            }

            @Override
            public void onCancel() {
                logged.end(Status.Code.CANCELLED);
                super.onCancel();
            }
        };
    }

    /**
     * The call as the handler sees it, noting what the line needs. Request events arrive on the transport
     * thread and responses may be sent from a batch worker, but never at once for one call (the response
     * follows the request), and the volatile fields publish them to whichever thread ends the call.
     */
    private final class Call<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final long startNanos = System.nanoTime();
        private final long epochMillis = System.currentTimeMillis();
        private final String requestId;
        private final AtomicBoolean ended = new AtomicBoolean();
        private volatile long bytesIn;
        private volatile long bytesOut;
        private volatile String model;
        private volatile String version;

        Call(ServerCall<Q, R> delegate, String requestId) {
            super(delegate);
            this.requestId = requestId;
        }

        void request(Q message) {
            if (message instanceof MessageLite m) { // null: unparsable, refused by MalformedRequestGuard
                bytesIn += m.getSerializedSize();
            }
            if (message instanceof ModelInferRequest r) {
                named(r.getModelName(), r.getModelVersion());
            } else if (message instanceof ModelMetadataRequest r) {
                named(r.getName(), r.getVersion());
            } else if (message instanceof ModelReadyRequest r) {
                named(r.getName(), r.getVersion());
            }
        }

        private void named(String m, String v) {
            model = m.isEmpty() ? null : m;
            version = v.isEmpty() ? null : v;
        }

        @Override
        public void sendMessage(R message) {
            if (message instanceof MessageLite m) {
                bytesOut += m.getSerializedSize(); // memoized: the marshaller reuses it
            }
            if (message instanceof ModelInferResponse r && !r.getModelVersion().isEmpty()) {
                version = r.getModelVersion();
            }
            super.sendMessage(message);
        }

        @Override
        public void close(Status status, Metadata trailers) {
            end(status.getCode());
            super.close(status, trailers);
        }

        void end(Status.Code code) {
            if (ended.compareAndSet(false, true)) {
                log.log(new GrpcAccessRecord(epochMillis, remote(getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)),
                        getMethodDescriptor().getFullMethodName(), code, bytesIn, bytesOut,
                        (System.nanoTime() - startNanos) / 1000, model, version, requestId));
            }
        }
    }

    /** {@code 10.0.0.7:53422}, as in HTTP lines. */
    private static String remote(SocketAddress a) {
        if (a instanceof InetSocketAddress i && i.getAddress() != null) {
            return i.getAddress().getHostAddress() + ":" + i.getPort();
        }
        return String.valueOf(a);
    }
}
