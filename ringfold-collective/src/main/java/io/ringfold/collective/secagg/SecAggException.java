package io.ringfold.collective.secagg;

/**
 * A secure aggregation that cannot go on: fewer than the threshold of clients left, or (on a client) a server
 * message that this client must not act on. The message names the session, the counts or the values and
 * what was expected. A single misbehaving client does not raise it: the server refuses its message and
 * excludes it ({@link Receipt}).
 */
public final class SecAggException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public SecAggException(String message) {
        super(message);
    }
}
