package io.ringfold.jobs.service;

import io.ringfold.jobs.Engine;
import io.ringfold.jobs.Job;
import io.ringfold.jobs.JobOutcome;
import io.ringfold.jobs.JobSpec;
import io.ringfold.jobs.JobState;
import io.ringfold.jobs.store.HeartbeatReply;
import io.ringfold.jobs.store.JobQuery;
import io.ringfold.jobs.store.JobStateException;
import io.ringfold.jobs.store.JobStore;
import io.ringfold.jobs.store.LogPage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The job service: submissions are checked (the spec, then the arguments as {@code train} would check them)
 * and queued in the store up to {@link JobServiceConfig#maxQueued()}; a scheduler thread claims queued jobs up
 * to {@link JobServiceConfig#maxRunning()} at a time and runs each on its engine ({@link JobRun}: a process, or an
 * Indexed Job on Kubernetes through {@link KubernetesEngine}), beats the heart of those it runs, stops those
 * cancelled or taken over, and takes back orphans: its own after a restart (same instance id) and other services'
 * whose heartbeat went stale. An orphan that writes checkpoints, or whose Kubernetes Job runs on, goes back to the
 * queue and resumes from its checkpoint (or is followed again); one that does not is finished FAILED, saying why.
 */
public final class JobService implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(JobService.class.getName());
    /** How long stopping waits for its jobs' threads to end, and retries giving each back when the store fails. */
    private static final Duration HAND_BACK_DEADLINE = Duration.ofSeconds(10);

    private final JobStore store;
    private final JobServiceConfig config;
    private final ArgumentCheck check;
    private final KubernetesEngine kubernetes;
    private final Map<Long, JobRun> running = new ConcurrentHashMap<>();
    private final Thread scheduler;
    private final Object queueLock = new Object();
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();

    public JobService(JobStore store, JobServiceConfig config, ArgumentCheck check) {
        this(store, config, check, null);
    }

    /** A service that also runs jobs of engine {@code kubernetes} on {@code kubernetes} (null: it refuses them). */
    public JobService(JobStore store, JobServiceConfig config, ArgumentCheck check, KubernetesEngine kubernetes) {
        this.kubernetes = kubernetes;
        this.store = store;
        this.config = config;
        this.check = check;
        this.scheduler = new Thread(this::schedule, "ringfold-jobs-scheduler");
        scheduler.setDaemon(true);
    }

    public JobServiceConfig config() {
        return config;
    }

    /** Takes back this instance's orphans, then starts taking jobs from the queue. */
    public JobService start() {
        adopt(store.reclaimFrom(config.owner(), config.owner()), "the job service restarted while the job ran");
        scheduler.start();
        return this;
    }

    /**
     * Queues a job: the engine must be one this service runs, the arguments ones {@code train} accepts, and the
     * queue must have room ({@link QueueFullException} otherwise).
     */
    public Job submit(JobSpec spec) {
        if (spec.type() == io.ringfold.jobs.JobType.PREPROCESS) {
            // Fitting a preprocessing is one pass over the data in one process: nothing to spread or publish.
            if (spec.engine() != Engine.LOCAL) {
                throw new IllegalArgumentException("engine: " + spec.engine().id() + " (expected: local for a preprocess "
                        + "job)");
            }
            if (spec.publish() != null || spec.workers() != null || spec.nproc() != null) {
                throw new IllegalArgumentException("preprocess job: publish, workers or nproc given (expected: none; a "
                        + "training job that references its preprocessing publishes the model)");
            }
        }
        if (spec.engine() == Engine.KUBERNETES) {
            if (kubernetes == null) {
                throw new IllegalArgumentException("engine: kubernetes (expected: local, launch or spark; this service "
                        + "was started without --kubernetes-image)");
            }
            kubernetes.check(spec);
        }
        spec = withPreprocessingResolved(spec);
        check.check(JobCommandLine.asChecked(spec, config.dataDir().resolve("work")));
        // Counted and queued under one lock, so concurrent submissions to this service cannot overfill the queue;
        // services sharing one store may each take the last place (the bound is exceeded by at most one per service).
        synchronized (queueLock) {
            long queued = store.count(JobState.QUEUED);
            if (queued >= config.maxQueued()) {
                throw new QueueFullException("queue: " + queued + " jobs waiting (expected: fewer than "
                        + config.maxQueued() + "; try again later)", 30);
            }
            return store.create(spec);
        }
    }

    /** The prefix of {@code train --preprocessing job:ID}: the preprocessing a preprocess job of this service stored. */
    public static final String JOB_REFERENCE = "job:";

    /**
     * A train job's {@code --preprocessing job:ID} replaced by the directory that preprocess job stored, which must
     * have SUCCEEDED; the spec kept records the directory, so the job runs the same whatever happens to job ID later.
     */
    private JobSpec withPreprocessingResolved(JobSpec spec) {
        List<String> args = new ArrayList<>(spec.arguments());
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            boolean separate = a.equals("--preprocessing") && i + 1 < args.size();
            String value = separate ? args.get(i + 1) : a.startsWith("--preprocessing=") ? a.substring(16) : null;
            if (value == null || !value.startsWith(JOB_REFERENCE)) {
                continue;
            }
            String dir = preprocessingOf(value.substring(JOB_REFERENCE.length()));
            if (separate) {
                args.set(i + 1, dir);
            } else {
                args.set(i, "--preprocessing=" + dir);
            }
        }
        return spec.withArguments(args);
    }

    private String preprocessingOf(String idText) {
        long id;
        try {
            id = Long.parseLong(idText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--preprocessing: job:" + idText + " (expected: job:ID, the id of a "
                    + "preprocess job)");
        }
        Job job = store.get(id).orElseThrow(() -> new IllegalArgumentException("--preprocessing: job:" + id
                + " (expected: the id of a preprocess job; there is no job " + id + ")"));
        if (job.spec().type() != io.ringfold.jobs.JobType.PREPROCESS || job.state() != JobState.SUCCEEDED) {
            throw new IllegalArgumentException("--preprocessing: job:" + id + " is a " + job.spec().type().id() + " job, "
                    + job.state() + " (expected: a SUCCEEDED preprocess job)");
        }
        String file = job.result().path("preprocessing_path").asText(null);
        if (file == null) {
            throw new IllegalArgumentException("--preprocessing: job:" + id + " recorded no preprocessing_path in its "
                    + "result (expected: the summary preprocess --json prints)");
        }
        Path parent = Path.of(file).getParent();
        return parent == null ? "." : parent.toString();
    }

    public Optional<Job> get(long id) {
        return store.get(id);
    }

    public List<Job> list(JobQuery query) {
        return store.list(query);
    }

    /** Cancels a queued job at once, a running one by stopping its process (here, or by its owner). */
    public Job cancel(long id) {
        Job job = store.requestCancel(id);
        JobRun p = running.get(id);
        if (p != null) {
            p.cancel("cancelled by request");
        }
        return job;
    }

    public Job retry(long id) {
        return store.retry(id);
    }

    public LogPage logs(long id, long from, int maxLines) {
        return store.readLog(id, from, maxLines);
    }

    /** The last {@code maxLines} lines of a job's log. */
    public LogPage logTail(long id, int maxLines) {
        return store.readLogTail(id, maxLines);
    }

    /** The epochs a job has reported, for its curves. */
    public List<io.ringfold.jobs.JobProgress> epochs(long id) {
        return store.epochs(id);
    }

    /** Jobs in {@code state} in the store, over every service that shares it. */
    public long count(JobState state) {
        return store.count(state);
    }

    /** Jobs running in this service now. */
    public int runningCount() {
        return running.size();
    }

    private void schedule() {
        long nextStaleCheck = 0;
        long lastBeat = System.nanoTime();
        while (!closed) {
            try {
                HeartbeatReply reply;
                try {
                    reply = store.heartbeat(config.owner(), List.copyOf(running.keySet()));
                    lastBeat = System.nanoTime();
                } catch (RuntimeException e) {
                    // Unheard for half the stale period, this service's jobs may be taken over elsewhere: stop them
                    // here first, so that no job ever runs twice (their owner in the store takes them back).
                    if (System.nanoTime() - lastBeat > config.staleAfter().toNanos() / 2) {
                        running.values().forEach(JobRun::abandon);
                    }
                    throw e;
                }
                for (Map.Entry<Long, JobRun> e : running.entrySet()) {
                    if (!reply.owned().contains(e.getKey())) {
                        LOG.log(System.Logger.Level.WARNING, "job " + e.getKey() + " was taken over; stopping it here");
                        e.getValue().abandon();
                    } else if (reply.cancelRequested().contains(e.getKey())) {
                        e.getValue().cancel("cancelled by request");
                    }
                }
                if (System.nanoTime() - nextStaleCheck >= 0) {
                    adopt(store.reclaimStale(config.staleAfter(), config.owner()),
                            "the job service running it stopped beating");
                    nextStaleCheck = System.nanoTime() + config.staleAfter().toNanos();
                }
                while (!closed && running.size() < config.maxRunning()) {
                    Optional<Job> next = store.claimNext(config.owner());
                    if (next.isEmpty()) {
                        break;
                    }
                    run(next.get());
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "job scheduler: " + e.getMessage());
            }
            try {
                Thread.sleep(config.poll().toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void run(Job job) {
        if (job.spec().engine() == Engine.KUBERNETES && kubernetes == null) {
            // Queued by a service that had the engine; this one was started without it.
            store.finish(job.id(), config.owner(), JobOutcome.failed("engine: kubernetes (expected: a service started "
                    + "with --kubernetes-image to run it)"));
            return;
        }
        Runnable done = () -> running.remove(job.id());
        JobRun p = job.spec().engine() == Engine.KUBERNETES ? kubernetes.run(store, config, job, done) : new JobProcess(store, config, job, done, closing::get);
        running.put(job.id(), p);
        p.start();
    }

    /**
     * Orphans taken over: back to the queue when they can resume from a checkpoint, or when their Kubernetes Job runs
     * on without a service (the next run follows it again), else FAILED with why.
     */
    private void adopt(List<Job> orphans, String why) {
        for (Job job : orphans) {
            try {
                if (job.spec().engine() == Engine.KUBERNETES && kubernetes != null) {
                    store.release(job.id(), config.owner(), why + "; its Kubernetes Job is followed again");
                } else if (JobCommandLine.value(job.spec().arguments(), "--checkpoint-dir") != null) {
                    store.release(job.id(), config.owner(), why + "; it resumes from its checkpoint");
                } else {
                    store.finish(job.id(), config.owner(), JobOutcome.failed(why + " (no --checkpoint-dir to resume from)"));
                }
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "job " + job.id() + ": not taken back: " + e.getMessage());
            }
        }
    }

    /** Stops taking jobs; the jobs running here are stopped and given back to the queue for the next service. */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        // No interrupt: one landing in the middle of a query makes H2 close its file, and the releases below
        // would then fail. The scheduler sees the flag within one poll.
        try {
            scheduler.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<JobRun> stopping = List.copyOf(running.values());
        stopping.forEach(JobRun::abandon);
        awaitStopped();
        for (JobRun p : stopping) {
            handBack(p.id());
        }
    }

    /**
     * Waits for the stopped jobs' output threads to end (each removes its job from {@code running}), so that the
     * hand-back does not race their last writes and the store is not closed under them.
     */
    private void awaitStopped() {
        long deadline = System.nanoTime() + HAND_BACK_DEADLINE.toNanos();
        while (!running.isEmpty() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (!running.isEmpty()) {
            LOG.log(System.Logger.Level.WARNING, "jobs " + running.keySet() + ": still writing their output "
                    + HAND_BACK_DEADLINE.toSeconds() + " s after being stopped; handed back regardless");
        }
    }

    /**
     * Gives a running job back to the queue, retrying for a while when the store fails (the job's own output thread
     * may hold its row as the process is stopped): a job left RUNNING waits for the stale-heartbeat sweep.
     */
    private void handBack(long id) {
        long deadline = System.nanoTime() + HAND_BACK_DEADLINE.toNanos();
        while (true) {
            try {
                store.release(id, config.owner(), "the job service shut down");
                return;
            } catch (JobStateException e) {
                LOG.log(System.Logger.Level.WARNING, "job " + id + ": not handed back: " + e.getMessage());
                return;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline) {
                    LOG.log(System.Logger.Level.WARNING, "job " + id + ": not handed back within "
                            + HAND_BACK_DEADLINE.toSeconds() + " s (" + e.getMessage() + "); the next service to start, "
                            + "or any after " + config.staleAfter().toSeconds() + " s without a heartbeat, takes it back");
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
