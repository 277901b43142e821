package io.ringfold.jobs.store;

/**
 * A move the job's current state or owner does not allow (HTTP 409): finishing a job that is not running,
 * retrying a succeeded one, a service acting on a job another service owns. Nothing was changed.
 */
public final class JobStateException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public JobStateException(String message) {
        super(message);
    }
}
