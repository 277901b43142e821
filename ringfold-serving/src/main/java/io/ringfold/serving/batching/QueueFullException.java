package io.ringfold.serving.batching;

import io.ringfold.serving.core.UnavailableException;

/** A request refused because its model's queue holds {@code maxQueueSize} requests already. */
public final class QueueFullException extends UnavailableException {

    private static final long serialVersionUID = 1L;

    public QueueFullException(String model, int capacity) {
        super(model + ": queue full, " + capacity + " requests waiting (expected: fewer; retry later)");
    }
}
