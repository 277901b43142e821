package io.ringfold.serving.repository;

/** No such model, version or label among those serving (HTTP 404). */
public final class ModelNotFoundException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public ModelNotFoundException(String message) {
        super(message);
    }
}
