package io.ringfold.federated.wire;

/**
 * A federated run cannot go on: too few clients reported, a peer broke the protocol, a deadline passed. The
 * message names the round, the peer and what was expected.
 */
public class FederatedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FederatedException(String message) {
        super(message);
    }

    public FederatedException(String message, Throwable cause) {
        super(message, cause);
    }
}
