package io.ringfold.serving.core;

/** No such model, version or label among those serving. */
public class ModelNotFoundException extends ServingException {

    private static final long serialVersionUID = 1L;

    public ModelNotFoundException(String message) {
        super(message);
    }

    @Override
    public Failure failure() {
        return Failure.NOT_FOUND;
    }
}
