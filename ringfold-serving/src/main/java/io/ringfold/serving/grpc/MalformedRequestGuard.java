package io.ringfold.serving.grpc;

import com.google.protobuf.Message;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers a request message that is not valid protobuf for its method with INVALID_ARGUMENT. Left to
 * gRPC-Java, the marshaller's parse failure escapes into the transport, which answers UNKNOWN ("Application
 * error processing RPC") and logs a SEVERE stack trace for every such message, so any client could fill the
 * log. Here the request marshaller turns a failed parse into a null message, and the call is closed with a
 * status naming the method before the handler sees anything. (gRPC's status code table lists INTERNAL for
 * an unparsable request; INVALID_ARGUMENT says what it is, the client's bytes, and is not retried.)
 */
final class MalformedRequestGuard {

    private MalformedRequestGuard() {
    }

    /** {@code service} with every method's requests parsed through the guard. */
    static ServerServiceDefinition guard(ServerServiceDefinition service) {
        // The new descriptor keeps the service's schema (its .proto file), which server reflection lists.
        ServiceDescriptor original = service.getServiceDescriptor();
        List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
        ServiceDescriptor.Builder d = ServiceDescriptor.newBuilder(original.getName())
                .setSchemaDescriptor(original.getSchemaDescriptor());
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            ServerMethodDefinition<?, ?> g = guard(m);
            methods.add(g);
            d.addMethod(g.getMethodDescriptor());
        }
        ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(d.build());
        methods.forEach(b::addMethod);
        return b.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> guard(ServerMethodDefinition<Q, R> m) {
        MethodDescriptor<Q, R> d = m.getMethodDescriptor();
        MethodDescriptor<Q, R> guarded = d.toBuilder()
                .setRequestMarshaller(new NullOnMalformed<>(d.getRequestMarshaller())).build();
        ServerCallHandler<Q, R> next = m.getServerCallHandler();
        String refusal = d.getBareMethodName() + " request: not a valid protobuf message (expected: a serialized "
                + requestType(d) + ")";
        return ServerMethodDefinition.create(guarded, (call, headers) -> new Listener<>(next.startCall(call, headers), call, refusal));
    }

    /** "ModelInferRequest of grpc_predict_v2.proto": the request message and the file defining it. */
    private static String requestType(MethodDescriptor<?, ?> d) {
        if (d.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
                && p.getMessagePrototype() instanceof Message m) {
            return m.getDescriptorForType().getName() + " of " + m.getDescriptorForType().getFile().getName();
        }
        return d.getBareMethodName() + "Request";
    }

    /** The delegate's parse, with a parse failure as null (a protobuf message is never null otherwise). */
    private record NullOnMalformed<Q>(MethodDescriptor.Marshaller<Q> delegate) implements MethodDescriptor.Marshaller<Q> {

        @Override
        public InputStream stream(Q value) {
            return delegate.stream(value);
        }

        @Override
        public Q parse(InputStream stream) {
            try {
                return delegate.parse(stream);
            } catch (StatusRuntimeException e) {
                // gRPC's protobuf marshaller reports bytes that are not the message this way; the listener answers.
                return null;
            }
        }
    }

    /** Closes the call on a null (unparsable) message and then forwards nothing more but the call's end. */
    private static final class Listener<Q, R> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {

        private final ServerCall<Q, R> call;
        private final String refusal;
        private boolean refused; // only touched on the call's serialized listener events

        Listener(ServerCall.Listener<Q> delegate, ServerCall<Q, R> call, String refusal) {
            super(delegate);
            this.call = call;
            this.refusal = refusal;
        }

        @Override
        public void onMessage(Q message) {
            if (refused) {
                return;
            }
            if (message == null) {
                refused = true;
                call.close(Status.INVALID_ARGUMENT.withDescription(refusal), new Metadata());
                return;
            }
            super.onMessage(message);
        }

        @Override
        public void onHalfClose() {
            if (!refused) {
                super.onHalfClose();
            }
        }
    }
}
