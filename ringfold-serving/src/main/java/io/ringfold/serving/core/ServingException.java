package io.ringfold.serving.core;

/** A failure of a known {@link Failure} kind, whose message is meant for the client. */
public abstract class ServingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected ServingException(String message) {
        super(message);
    }

    protected ServingException(String message, Throwable cause) {
        super(message, cause);
    }

    public abstract Failure failure();
}
