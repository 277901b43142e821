package io.ringfold.jobs.service;

import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.ringfold.jobs.JobOutcome;
import io.ringfold.jobs.store.JobStore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One attempt of a {@code kubernetes} job: creates its Indexed Job and headless Service (or finds them, by the job id
 * label, when an earlier attempt of this or another service created them: the cluster keeps running a job while no
 * service follows it), then follows them until they end. Rank 0's log lines go to the job's log (and so its progress
 * and summary, {@link TrainOutput}); the Job's and pods' status decide how it ends: SUCCEEDED when every rank
 * succeeded (the model published from the shared volume), FAILED with the failed pod's reason, or when no pod runs
 * within the start timeout, or when an API call is refused; CANCELLED on request. A finished run deletes its Job and
 * Service (propagation background); an abandoned one leaves them running.
 *
 * <p>Watches on the Job and its pods wake the run at once; it also looks every {@link KubernetesConfig#poll()}, since
 * a watch may miss events or close. Every wait has a deadline.
 */
final class KubernetesJobRun implements JobRun {

    private static final System.Logger LOG = System.getLogger(KubernetesJobRun.class.getName());
    /** How long rank 0's log may take to end after every pod succeeded (the summary is its last line). */
    private static final Duration LOG_DRAIN = Duration.ofSeconds(30);
    /**
     * How long it may take after a pod failed: the reason comes from that pod, and rank 0, if it still runs, would
     * only end at its collective timeout.
     */
    private static final Duration LOG_DRAIN_FAILED = Duration.ofSeconds(2);
    /** How long API calls may keep failing with errors that may pass (no answer, 5xx) before the job fails. */
    private static final Duration API_PATIENCE = Duration.ofMinutes(2);

    private final KubernetesClient client;
    private final KubernetesConfig k;
    private final io.ringfold.jobs.Job job;
    private final Runnable done;
    private final TrainOutput output;
    private final Semaphore wake = new Semaphore(0);
    private final Set<String> noted = new HashSet<>();
    private final List<Watch> watches = new ArrayList<>();
    private volatile String cancelReason;
    private volatile boolean abandoned;
    private volatile LogWatch log;
    private Thread logReader;
    /** The Job's and Service's name, once the Job exists. */
    private String name;
    /** Since when API calls have been failing with errors that may pass, or null. */
    private Instant failingSince;

    KubernetesJobRun(KubernetesClient client, KubernetesConfig k, JobStore store, JobServiceConfig config,
                     io.ringfold.jobs.Job job, Runnable done) {
        this.client = client;
        this.k = k;
        this.job = job;
        this.done = done;
        this.output = new TrainOutput(store, config, job);
    }

    @Override
    public long id() {
        return job.id();
    }

    @Override
    public void start() {
        Thread t = new Thread(this::follow, "ringfold-job-" + job.id());
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void cancel(String reason) {
        cancelReason = reason;
        wake.release();
    }

    @Override
    public void abandon() {
        abandoned = true;
        wake.release();
    }

    private void follow() {
        try {
            Instant startBy = null;
            while (!abandoned) {
                if (cancelReason != null) {
                    end(JobOutcome.cancelled(cancelReason));
                    return;
                }
                try {
                    if (name == null) {
                        attachOrCreate();
                        watch();
                        startBy = Instant.now().plus(k.startTimeout());
                    }
                    if (look(startBy)) {
                        return;
                    }
                    failingSince = null;
                } catch (KubernetesApiException e) {
                    retryOrThrow(e);
                }
                wake.tryAcquire(k.poll().toMillis(), TimeUnit.MILLISECONDS);
                wake.drainPermits();
            }
        } catch (KubernetesApiException e) {
            end(JobOutcome.failed(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            end(JobOutcome.failed("the job service lost the Kubernetes Job: " + e));
        } finally {
            watches.forEach(Watch::close);
            stopLog();
            done.run();
        }
    }

    /**
     * Returns when {@code e} may pass (no answer, a 5xx) and calls have failed for less than {@link #API_PATIENCE};
     * else throws it: the job fails with it.
     */
    private void retryOrThrow(KubernetesApiException e) {
        if (!e.isTransient()) {
            throw e;
        }
        failingSince = failingSince == null ? Instant.now() : failingSince;
        if (Instant.now().isAfter(failingSince.plus(API_PATIENCE))) {
            throw e;
        }
        output.note(e.getMessage() + "; trying again");
    }

    /**
     * Finds the Job an earlier attempt created (a restarted service, or one taking over), else creates the Service
     * and the Job. A Job found is followed from the start of rank 0's log again: the store cannot say which of its
     * lines the previous owner copied, and a line twice is better than a line lost (progress is set again as the
     * epochs replay). Sets {@link #name} once the Job exists, so that a call that fails is tried again from the start.
     */
    private void attachOrCreate() {
        List<Job> found = KubernetesApiException.call("list Jobs in " + k.namespace() + " labelled "
                        + IndexedTrainingJob.JOB_ID + "=" + job.id(),
                () -> client.batch().v1().jobs().inNamespace(k.namespace())
                        .withLabel(IndexedTrainingJob.JOB_ID, Long.toString(job.id())).list().getItems());
        if (!found.isEmpty()) {
            Job newest = found.stream().max(Comparator.comparing((Job j) -> String.valueOf(
                    j.getMetadata().getCreationTimestamp())).thenComparing(j -> j.getMetadata().getName())).orElseThrow();
            name = newest.getMetadata().getName();
            if (name.equals(IndexedTrainingJob.name(job))) {
                output.note("attempt " + job.attempts() + " runs Indexed Job " + k.namespace() + "/" + name
                        + " (created by a call whose answer was lost)");
                return;
            }
            output.note("attempt " + job.attempts() + " follows Kubernetes Job " + k.namespace() + "/" + name
                    + ", started by an earlier attempt; rank 0's log is copied again from its start");
            return;
        }
        String name = IndexedTrainingJob.name(job);
        Path defaultOut = IndexedTrainingJob.defaultOut(k, job.id());
        List<String> args = JobCommandLine.arguments(job.spec(), defaultOut, job.attempts() > 1);
        io.fabric8.kubernetes.api.model.Service service = IndexedTrainingJob.service(k, job);
        Job kjob = IndexedTrainingJob.job(k, job, args);
        // The Service first: rank 0's DNS name must exist by the time the other ranks look it up. One that exists was
        // created by this run's earlier try.
        try {
            create("Service", service, () -> client.services().inNamespace(k.namespace()).resource(service).create());
        } catch (KubernetesApiException e) {
            if (e.status() != 409) {
                throw e;
            }
        }
        create("Job", kjob, () -> client.batch().v1().jobs().inNamespace(k.namespace()).resource(kjob).create());
        this.name = name;
        output.note("attempt " + job.attempts() + " runs Indexed Job " + k.namespace() + "/" + name + ": "
                + JobCommandLine.pods(job.spec()) + " pods of " + k.image() + " running " + String.join(" ", args));
    }

    private void create(String kind, HasMetadata object, Runnable call) {
        KubernetesApiException.call("create " + kind + " " + k.namespace() + "/" + object.getMetadata().getName(), () -> {
            call.run();
            return null;
        });
    }

    /** Watches the Job and its pods; an event wakes the run. Without watches (refused, closed) the run polls. */
    private void watch() {
        Watcher<HasMetadata> wakeUp = new Watcher<>() {
            @Override
            public void eventReceived(Action action, HasMetadata resource) {
                wake.release();
            }

            @Override
            public void onClose(WatcherException cause) {
                LOG.log(System.Logger.Level.WARNING, "job " + job.id() + ": a watch closed (" + cause.getMessage()
                        + "); polling every " + k.poll().toMillis() + " ms");
            }
        };
        try {
            watches.add(client.batch().v1().jobs().inNamespace(k.namespace()).withName(name).watch(cast(wakeUp)));
            watches.add(client.pods().inNamespace(k.namespace()).withLabel(IndexedTrainingJob.INSTANCE, name)
                    .watch(cast(wakeUp)));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job " + job.id() + ": no watch on " + name + " (" + e.getMessage()
                    + "); polling every " + k.poll().toMillis() + " ms");
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> Watcher<T> cast(Watcher<HasMetadata> w) {
        return (Watcher<T>) (Watcher<?>) w;
    }

    /** Looks at the Job and its pods once; true when the run is over (the job finished). */
    private boolean look(Instant startBy) throws InterruptedException {
        String where = k.namespace() + "/" + name;
        Job kjob = KubernetesApiException.call("get Job " + where,
                () -> client.batch().v1().jobs().inNamespace(k.namespace()).withName(name).get());
        if (kjob == null) {
            end(JobOutcome.failed("Kubernetes Job " + where + " was deleted outside the job service"));
            return true;
        }
        List<Pod> pods = KubernetesApiException.call("list Pods in " + k.namespace() + " labelled "
                        + IndexedTrainingJob.INSTANCE + "=" + name,
                () -> client.pods().inNamespace(k.namespace()).withLabel(IndexedTrainingJob.INSTANCE, name).list().getItems());
        boolean anyStarted = false;
        Pod failed = null;
        for (Pod pod : pods) {
            String phase = TrainingPods.phase(pod);
            if (noted.add(pod.getMetadata().getName() + " " + phase)) {
                output.note("pod " + pod.getMetadata().getName() + " (rank " + TrainingPods.rank(pod) + "): " + phase);
            }
            anyStarted |= TrainingPods.started(pod);
            if (TrainingPods.started(pod) && TrainingPods.rank(pod) == 0 && logReader == null) {
                followLog(pod.getMetadata().getName());
            }
            if (failed == null && phase.equals(TrainingPods.FAILED)) {
                failed = pod;
            }
        }
        var jobFailed = TrainingPods.condition(kjob, "Failed");
        if (failed != null || jobFailed.isPresent()) {
            drainLog(LOG_DRAIN_FAILED);
            String reason = failed != null ? TrainingPods.failure(failed) : "Kubernetes Job " + where + " failed: "
                    + jobFailed.get().getReason() + (jobFailed.get().getMessage() == null ? "" : ": " + jobFailed.get().getMessage());
            end(JobOutcome.failed(output.error() != null && failed == null ? output.error() : reason));
            return true;
        }
        if (TrainingPods.condition(kjob, "Complete").isPresent() || TrainingPods.allSucceeded(pods, JobCommandLine.pods(job.spec()))) {
            drainLog(LOG_DRAIN);
            if (output.result() == null) {
                end(JobOutcome.failed("rank 0 of Kubernetes Job " + where + " ended without its summary (train --json's "
                        + "last line) in its log"));
            } else {
                succeed();
            }
            return true;
        }
        if (!anyStarted && Instant.now().isAfter(startBy)) {
            String why = pods.stream().map(TrainingPods::waiting).filter(w -> w != null).findFirst()
                    .orElse(pods.isEmpty() ? "no pod created" : "pods " + TrainingPods.phase(pods.get(0)));
            end(JobOutcome.failed("Kubernetes Job " + where + ": no pod running after " + k.startTimeout().toSeconds()
                    + " s (expected: within the start timeout): " + why));
            return true;
        }
        return false;
    }

    /** Copies rank 0's log into the job's log, on a thread of its own, until the log ends. */
    private void followLog(String pod) {
        String what = "follow the log of Pod " + k.namespace() + "/" + pod;
        logReader = new Thread(() -> {
            try {
                var container = client.pods().inNamespace(k.namespace()).withName(pod)
                        .inContainer(IndexedTrainingJob.CONTAINER).withReadyWaitTimeout(0);
                LogWatch w = KubernetesApiException.call(what, container::watchLog);
                log = w;
                try (BufferedReader r = new BufferedReader(new InputStreamReader(w.getOutput(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        output.line(line);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (!abandoned && cancelReason == null) {
                    output.note("rank 0's log stopped: " + e.getMessage());
                }
            }
        }, "ringfold-job-" + job.id() + "-log");
        logReader.setDaemon(true);
        logReader.start();
    }

    /** Waits, up to {@code deadline}, for rank 0's log to end (its last line is the summary), then stops reading it. */
    private void drainLog(Duration deadline) throws InterruptedException {
        if (logReader != null) {
            logReader.join(deadline.toMillis());
            if (logReader.isAlive()) {
                output.note("rank 0's log did not end within " + deadline.toSeconds() + " s of the job's end");
                stopLog();
            }
        }
    }

    private void stopLog() {
        LogWatch w = log;
        if (w != null) {
            w.close();
        }
    }

    private void succeed() {
        Path out = JobCommandLine.out(job.spec(), IndexedTrainingJob.defaultOut(k, job.id()));
        try {
            output.succeed(out);
        } catch (IOException | RuntimeException e) {
            output.finish(JobOutcome.failed("cannot publish " + out + " (expected: the volume " + k.volumeClaim()
                    + " mounted at " + k.volumeDir() + " in the job service too): " + e));
        }
        delete();
    }

    /** Finishes the job and deletes its Job and Service. */
    private void end(JobOutcome outcome) {
        output.finish(outcome);
        delete();
    }

    /**
     * Deletes the Job (its pods with it, in the background) and the Service; a failure is noted, not thrown. Before the
     * Job is known to exist, those of this attempt's name: a create whose answer was lost may have made them.
     */
    private void delete() {
        String name = this.name != null ? this.name : IndexedTrainingJob.name(job);
        String where = k.namespace() + "/" + name;
        try {
            KubernetesApiException.call("delete Job " + where, () -> client.batch().v1().jobs().inNamespace(k.namespace())
                    .withName(name).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
            KubernetesApiException.call("delete Service " + where, () -> client.services().inNamespace(k.namespace())
                    .withName(name).withPropagationPolicy(DeletionPropagation.BACKGROUND).delete());
        } catch (KubernetesApiException e) {
            output.note(e.getMessage() + " (the Job is removed a day after it finished; the Service by hand)");
        }
    }
}
