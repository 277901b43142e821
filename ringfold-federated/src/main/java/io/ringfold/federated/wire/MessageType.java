package io.ringfold.federated.wire;

/** The kinds of message, by their one-byte code on the wire. */
public enum MessageType {
    /** Client to coordinator: its id, token and a description of its data (never the data). */
    HELLO(1),
    /** Coordinator to client: accepted, with the training configuration. */
    WELCOME(2),
    /** Coordinator to client: refused, with the reason; the connection closes. */
    REFUSED(3),
    /** Coordinator to client: train one round from the global parameters in the body. */
    TASK(4),
    /** Client to coordinator: the round's update (a float delta, or masked int64 under secure aggregation). */
    UPDATE(5),
    /** Coordinator to client: the run is over; the client exits. */
    DONE(6),
    /** Either way: a secure-aggregation protocol message, carried opaquely in the body. */
    SECURE(7),
    /**
     * Coordinator to client: send the per-feature statistics of your rows (a standardisation round, before round
     * 1); client to coordinator: those exact totals, int64 limbs in the body (or a refusal with the reason).
     */
    STATISTICS(8);

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The type of {@code code}, or null when no type has it (a malformed message). */
    static MessageType of(int code) {
        for (MessageType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }
}
