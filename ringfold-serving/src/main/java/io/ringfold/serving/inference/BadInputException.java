package io.ringfold.serving.inference;

/** A request that does not fit the model: the message names the tensor and the expected versus actual value. */
public final class BadInputException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }
}
