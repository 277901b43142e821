package io.ringfold.collective;

/**
 * A collective call that could not complete: timeout, dead or misbehaving peer, mismatched call. The
 * message is one line naming the operation, its sequence number, the local rank and the peers (with
 * addresses) involved, e.g. {@code allreduce #17 (float32 x 1000, sum) on rank 0/3: timed out after
 * 30 s waiting for rank 2 (127.0.0.1:45123)}.
 */
public final class CollectiveException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CollectiveException(String message) {
        super(message);
    }

    public CollectiveException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * What went wrong in {@code e}, for a message: its message, or its class's name when it has none
     * (an {@link java.io.EOFException} or a {@link java.nio.channels.ClosedChannelException} has none,
     * and "failed: null" tells nobody anything).
     */
    static String reason(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
