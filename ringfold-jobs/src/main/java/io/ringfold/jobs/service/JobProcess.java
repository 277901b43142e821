package io.ringfold.jobs.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.jobs.Job;
import io.ringfold.jobs.JobOutcome;
import io.ringfold.jobs.JobProgress;
import io.ringfold.jobs.store.JobStore;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One job's run: a {@code ringfold} process whose output lines go to the job's log in the store, whose epoch
 * lines become its progress, and whose last JSON line (the {@code --json} summary) its result. When the
 * process ends the job is finished: SUCCEEDED (its model published when the spec asks), FAILED with the
 * process's own error line, or CANCELLED.
 */
final class JobProcess {

    private static final System.Logger LOG = System.getLogger(JobProcess.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code epoch 3/10  loss 0.4132  acc 0.8800 ...}, rank 0's under {@code launch}. */
    private static final Pattern EPOCH = Pattern.compile("^(?:\\[rank 0\\] )?epoch (\\d+)/(\\d+)\\s+(.*)$");
    private static final Pattern METRIC = Pattern.compile("([a-z_]+) (-?[0-9][0-9.eE+-]*|NaN)(?=\\s|$)");
    private static final Pattern ERROR = Pattern.compile("^(?:\\[rank \\d+\\] )?ringfold: (?:error: )?(.*)$");

    private final JobStore store;
    private final JobServiceConfig config;
    private final Job job;
    private final Runnable done;
    /** Whether the service is shutting down: a process that ends then is given back to the queue, not finished. */
    private final java.util.function.BooleanSupplier stopping;
    private final Path out;
    private final List<String> command;
    private Process process;
    private volatile String cancelReason;
    private boolean keptForRelease;

    JobProcess(JobStore store, JobServiceConfig config, Job job, Runnable done, java.util.function.BooleanSupplier stopping) {
        this.stopping = stopping;
        this.store = store;
        this.config = config;
        this.job = job;
        this.done = done;
        Path work = config.dataDir().resolve("work").resolve(Long.toString(job.id()));
        this.out = JobCommandLine.out(job.spec(), work.resolve("model"));
        this.command = new ArrayList<>(config.ringfold());
        command.addAll(JobCommandLine.arguments(job.spec(), work.resolve("model"), job.attempts() > 1));
    }

    long id() {
        return job.id();
    }

    /** Starts the process and the thread that follows it; a process that cannot start fails the job. */
    void start() {
        try {
            Files.createDirectories(config.dataDir().resolve("work").resolve(Long.toString(job.id())));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            // The class path through the environment, as launch passes it (a long -cp hides the arguments from ps).
            pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
            // The process (and launch's workers, which inherit it) ends with this service, even a killed one.
            pb.environment().put("RINGFOLD_PARENT_PID", Long.toString(ProcessHandle.current().pid()));
            process = pb.start();
        } catch (IOException | RuntimeException e) {
            finish(JobOutcome.failed("cannot start the job's process: " + e.getMessage()));
            done.run();
            return;
        }
        // Followed from the start, whatever happens next: an unread pipe would stall the process once full.
        Thread t = new Thread(this::follow, "ringfold-job-" + job.id());
        t.setDaemon(true);
        t.start();
    }

    /** Stops the process (and the workers it started); the job finishes CANCELLED with {@code reason}. */
    void cancel(String reason) {
        cancelReason = reason;
        Process p = process;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** Stops the process without finishing the job: another service owns it now, or this one is shutting down. */
    void abandon() {
        cancelReason = "";
        Process p = process;
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    private void follow() {
        String result = null;
        String error = null;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            store.appendLog(job.id(), List.of("ringfold jobs: attempt " + job.attempts() + " runs: "
                    + String.join(" ", command.subList(config.ringfold().size(), command.size()))));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("WARNING: Using incubator modules")) {
                    continue;
                }
                store.appendLog(job.id(), List.of(line));
                Matcher m = EPOCH.matcher(line);
                if (m.matches()) {
                    progress(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), m.group(3));
                } else if (line.startsWith("{")) {
                    result = line;
                } else {
                    Matcher e = ERROR.matcher(line);
                    // The first: under launch, a worker's own error comes before launch's summary of it.
                    if (e.matches() && error == null) {
                        error = e.group(1);
                    }
                }
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
                finish(JobOutcome.cancelled(cancelled));
            } else if (status != 0 || result == null) {
                finish(JobOutcome.failed(error != null ? error : "train exited with status " + status
                        + (result == null && status == 0 ? " without its summary" : "")));
            } else {
                succeed(result);
            }
        } catch (IOException | RuntimeException e) {
            // Stopping a process may close its output under the reader: then the stop decides how the job ends.
            String cancelled = cancelReason;
            if (cancelled != null && !cancelled.isEmpty()) {
                finish(JobOutcome.cancelled(cancelled));
            } else if (cancelled == null && stopping.getAsBoolean()) {
                keptForRelease = true;
            } else if (cancelled == null) {
                finish(JobOutcome.failed("the job service lost the job's output: " + e.getMessage()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (!keptForRelease) {
                done.run();
            }
        }
    }

    private void progress(int epoch, int epochs, String text) {
        ObjectNode metrics = JSON.createObjectNode();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            metrics.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        try {
            store.progress(job.id(), config.owner(), new JobProgress(epoch, epochs, metrics));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job " + job.id() + ": progress not recorded: " + e.getMessage());
        }
    }

    private void succeed(String line) throws IOException {
        ObjectNode result = (ObjectNode) JSON.readTree(line);
        Long version = null;
        String publish = job.spec().publish();
        if (publish != null) {
            if (config.repository() == null) {
                finish(JobOutcome.failed("publish: " + publish + " (expected: a service started with --repository)"));
                return;
            }
            version = ModelPublisher.publish(out, config.repository(), publish);
            store.appendLog(job.id(), List.of("ringfold jobs: published " + out + " as " + publish + " version " + version));
        }
        finish(JobOutcome.succeeded(result, version));
    }

    private void finish(JobOutcome outcome) {
        try {
            store.finish(job.id(), config.owner(), outcome);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job " + job.id() + ": not finished as " + outcome.state() + ": "
                    + e.getMessage());
        }
    }
}
