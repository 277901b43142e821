package io.ringfold.serving.grpc;

import io.grpc.Status;
import io.ringfold.serving.batching.QueueFullException;
import io.ringfold.serving.inference.BadInputException;
import io.ringfold.serving.repository.ModelNotFoundException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The gRPC status of a failed call, mirroring the HTTP status of the same failure (and with its message):
 * bad input 400 = INVALID_ARGUMENT, unknown model or version 404 = NOT_FOUND, full queue or retired version
 * 503 = UNAVAILABLE (which gRPC clients treat as retryable), anything else 500 = INTERNAL.
 */
final class GrpcStatuses {

    private static final System.Logger LOG = System.getLogger(GrpcStatuses.class.getName());

    private GrpcStatuses() {
    }

    static Status of(Throwable t) {
        Throwable e = t instanceof CompletionException || t instanceof ExecutionException ? t.getCause() : t;
        if (e instanceof BadInputException) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        }
        if (e instanceof ModelNotFoundException) {
            return Status.NOT_FOUND.withDescription(e.getMessage());
        }
        if (e instanceof QueueFullException || e instanceof IllegalStateException) {
            // A full queue, or a version retired between lookup and queueing: the client may retry.
            return Status.UNAVAILABLE.withDescription(e.getMessage());
        }
        LOG.log(System.Logger.Level.ERROR, "unexpected failure", e);
        return Status.INTERNAL.withDescription("internal error: " + e);
    }
}
