package io.ringfold.serving.grpc;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.ringfold.serving.core.Failure;

import java.util.concurrent.CompletableFuture;

/**
 * The gRPC status of a failed call: the code {@link Failure} maps its kind to, which mirrors the HTTP status
 * of the same failure, and the same message: bad input 400 = INVALID_ARGUMENT, unknown model or version 404 =
 * NOT_FOUND, full queue or retired version 503 = UNAVAILABLE (which gRPC clients treat as retryable),
 * anything else 500 = INTERNAL.
 */
final class GrpcStatuses {

    private static final System.Logger LOG = System.getLogger(GrpcStatuses.class.getName());

    private GrpcStatuses() {
    }

    static Status of(Throwable t) {
        Throwable e = Failure.unwrap(t);
        Failure kind = Failure.of(e);
        if (kind == Failure.INTERNAL) {
            LOG.log(System.Logger.Level.ERROR, "unexpected failure", e);
            return Status.INTERNAL.withDescription("internal error: " + e);
        }
        return Status.fromCode(Status.Code.valueOf(kind.grpcCode())).withDescription(e.getMessage());
    }

    /** Answers {@code out} with the future's reply once it completes, or with the status of its failure. */
    static <T> void answerWhenDone(StreamObserver<T> out, CompletableFuture<T> f) {
        f.whenComplete((r, e) -> {
            if (e != null) {
                out.onError(of(e).asRuntimeException());
            } else {
                out.onNext(r);
                out.onCompleted();
            }
        });
    }
}
