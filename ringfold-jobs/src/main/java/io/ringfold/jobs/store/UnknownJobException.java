package io.ringfold.jobs.store;

import java.util.NoSuchElementException;

/** No job has this id (HTTP 404). */
public final class UnknownJobException extends NoSuchElementException {

    private static final long serialVersionUID = 1L;

    public UnknownJobException(long id) {
        super("job " + id + ": not found (expected: the id of a submitted job)");
    }
}
