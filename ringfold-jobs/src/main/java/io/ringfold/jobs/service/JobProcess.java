package io.ringfold.jobs.service;

import io.ringfold.jobs.Job;
import io.ringfold.jobs.JobOutcome;
import io.ringfold.jobs.store.JobStore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One job's run: a {@code ringfold} process whose output lines go to the job's log in the store, whose epoch
 * lines become its progress, and whose last JSON line (the {@code --json} summary) its result
 * ({@link TrainOutput}). When the process ends the job is finished: SUCCEEDED (its model published when the spec
 * asks), FAILED with the process's own error line, or CANCELLED.
 */
final class JobProcess implements JobRun {

    private final JobStore store;
    private final JobServiceConfig config;
    private final Job job;
    private final Runnable done;
    /** Whether the service is shutting down: a process that ends then is given back to the queue, not finished. */
    private final java.util.function.BooleanSupplier stopping;
    private final Path out;
    private final TrainOutput output;
    private final List<String> command;
    /** Written by the thread that starts the job, read by those that cancel or abandon it. */
    private volatile Process process;
    private volatile String cancelReason;
    private boolean keptForRelease;

    JobProcess(JobStore store, JobServiceConfig config, Job job, Runnable done, java.util.function.BooleanSupplier stopping) {
        this.stopping = stopping;
        this.store = store;
        this.config = config;
        this.job = job;
        this.done = done;
        this.output = new TrainOutput(store, config, job);
        Path work = config.dataDir().resolve("work").resolve(Long.toString(job.id()));
        this.out = JobCommandLine.out(job.spec(), JobCommandLine.defaultOut(job.spec(), work));
        this.command = new ArrayList<>(config.ringfold());
        command.addAll(JobCommandLine.arguments(job.spec(), JobCommandLine.defaultOut(job.spec(), work), job.attempts() > 1));
    }

    @Override
    public long id() {
        return job.id();
    }

    /** Starts the process and the thread that follows it; a process that cannot start fails the job. */
    @Override
    public void start() {
        try {
            Files.createDirectories(config.dataDir().resolve("work").resolve(Long.toString(job.id())));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            // The class path through the environment, as launch passes it (a long -cp hides the arguments from ps).
            pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
            // The process (and launch's workers, which inherit it) ends with this service, even a killed one.
            pb.environment().put("RINGFOLD_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
            process = pb.start();
        } catch (IOException | RuntimeException e) {
            output.finish(JobOutcome.failed("cannot start the job's process: " + e.getMessage()));
            done.run();
            return;
        }
        // Followed from the start, whatever happens next: an unread pipe would stall the process once full.
        Thread t = new Thread(this::follow, "ringfold-job-" + job.id());
        t.setDaemon(true);
        t.start();
    }

    /** Stops the process (and the workers it started); the job finishes CANCELLED with {@code reason}. */
    @Override
    public void cancel(String reason) {
        cancelReason = reason;
        stopProcess();
    }

    /** Stops the process without finishing the job: another service owns it now, or this one is shutting down. */
    @Override
    public void abandon() {
        cancelReason = "";
        stopProcess();
    }

    /** Kills the process and its descendants (launch's workers), if it started. */
    private void stopProcess() {
        Process p = process;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private void follow() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            output.note("attempt " + job.attempts() + " runs: "
                    + String.join(" ", command.subList(config.ringfold().size(), command.size())));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                output.line(line);
            }
            int status = process.waitFor();
            String cancelled = cancelReason;
            if ("".equals(cancelled)) {
                return;
            }
            if (cancelled == null && stopping.getAsBoolean()) {
                // Ended by the signal that stops the service: the service gives the job back to the queue.
                keptForRelease = true;
                return;
            }
            if (cancelled != null) {
                output.finish(JobOutcome.cancelled(cancelled));
            } else if (status != 0 || output.result() == null) {
                output.finish(JobOutcome.failed(output.error() != null ? output.error() : "train exited with status "
                        + status + (output.result() == null && status == 0 ? " without its summary" : "")));
            } else {
                output.succeed(out);
            }
        } catch (IOException | RuntimeException e) {
            // Stopping a process may close its output under the reader: then the stop decides how the job ends.
            String cancelled = cancelReason;
            if (cancelled != null && !cancelled.isEmpty()) {
                output.finish(JobOutcome.cancelled(cancelled));
            } else if (cancelled == null && stopping.getAsBoolean()) {
                keptForRelease = true;
            } else if (cancelled == null) {
                output.finish(JobOutcome.failed("the job service lost the job's output: " + e.getMessage()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!keptForRelease) {
                done.run();
            }
        }
    }
}
