package io.ringfold.federated.wire;


/** The peer closed the connection or it broke: a client reconnects, a coordinator drops the client. */
public final class ConnectionLostException extends FederatedException {

    private static final long serialVersionUID = 1L;

    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
