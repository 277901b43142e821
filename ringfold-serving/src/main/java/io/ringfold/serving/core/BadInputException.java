package io.ringfold.serving.core;

/** A request that does not fit the model or the protocol: the message names the tensor or field and the expected versus actual value. */
public class BadInputException extends ServingException {

    private static final long serialVersionUID = 1L;

    public BadInputException(String message) {
        super(message);
    }

    @Override
    public Failure failure() {
        return Failure.BAD_INPUT;
    }
}
