package io.ringfold.jobs.service;

/**
 * One attempt of a job on its engine, as the service drives it: started once; stopped by {@link #cancel} (the job
 * finishes CANCELLED) or {@link #abandon} (it does not finish here: another service owns it now, or this one is
 * shutting down). Each run tells the service when it is over through the callback it was made with. A
 * {@code ringfold} process here ({@link JobProcess}) or an Indexed Job on Kubernetes ({@link KubernetesJobRun}).
 */
interface JobRun {

    /** The job's id. */
    long id();

    /** Starts the run; one that cannot start finishes the job FAILED, saying why. */
    void start();

    /** Stops the run; the job finishes CANCELLED with {@code reason}. */
    void cancel(String reason);

    /**
     * Stops following the job without finishing it. A process is stopped; a Kubernetes Job keeps running in the
     * cluster, for the service that owns the job next to follow again.
     */
    void abandon();
}
