package io.ringfold.serving.core;

/**
 * The kinds of failure a request can meet, each with its HTTP status and gRPC code: one mapping for every
 * front end, so the same failure answers alike whichever protocol asked.
 */
public enum Failure {
    /** The request does not fit the model or the protocol: the client's mistake. */
    BAD_INPUT(400, "INVALID_ARGUMENT"),
    /** No such model, version or label among those serving. */
    NOT_FOUND(404, "NOT_FOUND"),
    /** The model exists but cannot answer now (queue full, version retiring, server stopping): retry. */
    UNAVAILABLE(503, "UNAVAILABLE"),
    /** Anything unexpected: a bug or a model that failed while computing. */
    INTERNAL(500, "INTERNAL");

    private final int httpStatus;
    private final String grpcCode;

    Failure(int httpStatus, String grpcCode) {
        this.httpStatus = httpStatus;
        this.grpcCode = grpcCode;
    }

    public int httpStatus() {
        return httpStatus;
    }

    /** The name of the {@code io.grpc.Status.Code}. */
    public String grpcCode() {
        return grpcCode;
    }

    /** The kind of {@code t} (unwrapping completion wrappers): INTERNAL for anything not a {@link ServingException}. */
    public static Failure of(Throwable t) {
        Throwable e = unwrap(t);
        return e instanceof ServingException s ? s.failure() : INTERNAL;
    }

    /** The cause of a CompletionException or ExecutionException, else {@code t}. */
    public static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof java.util.concurrent.CompletionException
                || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
