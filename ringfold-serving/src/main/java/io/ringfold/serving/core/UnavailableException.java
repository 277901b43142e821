package io.ringfold.serving.core;

/** The model exists but cannot answer now: a version retired while the request arrived, the server stopping, a version that is loading; the client may retry. */
public class UnavailableException extends ServingException {

    private static final long serialVersionUID = 1L;

    public UnavailableException(String message) {
        super(message);
    }

    @Override
    public Failure failure() {
        return Failure.UNAVAILABLE;
    }
}
