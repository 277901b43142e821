package io.ringfold.jobs.service;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ringfold.jobs.Job;
import io.ringfold.jobs.JobSpec;
import io.ringfold.jobs.store.JobStore;

import java.nio.file.Path;

/**
 * The {@code kubernetes} engine: runs each job as an Indexed Job with a headless Service
 * ({@link IndexedTrainingJob}) through a fabric8 client, and follows it ({@link KubernetesJobRun}). The client is
 * the caller's (it knows the cluster: in-cluster from the pod's ServiceAccount, or a kubeconfig) and closed by it.
 */
public final class KubernetesEngine {

    private final KubernetesClient client;
    private final KubernetesConfig config;

    public KubernetesEngine(KubernetesClient client, KubernetesConfig config) {
        this.client = client;
        this.config = config;
    }

    public KubernetesConfig config() {
        return config;
    }

    /**
     * Refuses, at submission, a job whose model this service could not publish: one that writes {@code --out} off the
     * shared volume (the pods' files elsewhere die with them).
     */
    void check(JobSpec spec) {
        Path out = JobCommandLine.out(spec, IndexedTrainingJob.defaultOut(config, 0));
        if (spec.publish() != null && !(out.isAbsolute() && out.normalize().startsWith(config.volumeDir()))) {
            throw new IllegalArgumentException("--out: " + out + " with publish " + spec.publish() + " (expected: a "
                    + "directory under " + config.volumeDir() + ", the volume " + config.volumeClaim()
                    + " that the pods and this service share)");
        }
    }

    /** A run of {@code job} that calls {@code done} when it is over. */
    JobRun run(JobStore store, JobServiceConfig serviceConfig, Job job, Runnable done) {
        return new KubernetesJobRun(client, config, store, serviceConfig, job, done);
    }
}
