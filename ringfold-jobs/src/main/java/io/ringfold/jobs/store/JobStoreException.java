package io.ringfold.jobs.store;

/** The database failed or refused (unreachable, a migration that does not apply); the message is one line. */
public final class JobStoreException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JobStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
