package io.ringfold.jobs.service;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.jobs.Job;
import io.ringfold.jobs.JobOutcome;
import io.ringfold.jobs.JobProgress;
import io.ringfold.jobs.store.JobStore;
import io.ringfold.train.EpochMetrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one run of {@code train} printed, as every engine records it: each line goes to the job's log, epoch lines
 * become its progress, the last JSON line (the {@code --json} summary) its result and the first error line the
 * reason it failed. Also ends the job: SUCCEEDED with the summary (its model published when the spec asks), or as
 * the engine says. Shared by the local process ({@link JobProcess}) and rank 0's pod ({@link KubernetesJobRun}).
 */
final class TrainOutput {

    private static final System.Logger LOG = System.getLogger(TrainOutput.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What launch puts before its rank 0's lines. */
    private static final String RANK_0 = "[rank 0] ";
    private static final Pattern ERROR = Pattern.compile("^(?:\\[rank \\d+\\] )?ringfold: (?:error: )?(.*)$");

    private final JobStore store;
    private final JobServiceConfig config;
    private final Job job;
    private volatile String result;
    private volatile String error;

    TrainOutput(JobStore store, JobServiceConfig config, Job job) {
        this.store = store;
        this.config = config;
        this.job = job;
    }

    /** A line of the service's own, to the job's log. */
    void note(String line) {
        store.appendLog(job.id(), List.of("ringfold jobs: " + line));
    }

    /** One line {@code train} printed: to the log, and read for progress, the summary and the first error. */
    void line(String line) {
        if (line.startsWith("WARNING: Using incubator modules")) {
            return;
        }
        store.appendLog(job.id(), List.of(line));
        Optional<EpochMetrics.Line> epoch = EpochMetrics.parse(line.startsWith(RANK_0) ? line.substring(RANK_0.length()) : line);
        if (epoch.isPresent()) {
            progress(epoch.get());
        } else if (line.startsWith("{")) {
            result = line;
        } else if (error == null) {
            // The first: under launch, a worker's own error comes before launch's summary of it.
            error = errorIn(line);
        }
    }

    /** The {@code --json} summary line, or null while none was printed. */
    String result() {
        return result;
    }

    /** The first error line's message, or null. */
    String error() {
        return error;
    }

    /** The message of {@code line} when it is ringfold's error line ({@code ringfold: error: ...}), else null. */
    static String errorIn(String line) {
        Matcher e = ERROR.matcher(line);
        return e.matches() ? e.group(1) : null;
    }

    /** The epoch's metrics as run records keep them ({@link EpochMetrics#toJson}), so imported runs read alike. */
    private void progress(EpochMetrics.Line epoch) {
        try {
            store.progress(job.id(), config.owner(), new JobProgress(epoch.metrics().epoch(), epoch.epochs(),
                    epoch.metrics().toJson()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job " + job.id() + ": progress not recorded: " + e.getMessage());
        }
    }

    /**
     * Finishes the job SUCCEEDED with the summary, after publishing {@code out} as the next version of the spec's
     * model when it asks (FAILED when this service has no repository to publish into).
     */
    void succeed(Path out) throws IOException {
        ObjectNode summary = (ObjectNode) JSON.readTree(result);
        Long version = null;
        String publish = job.spec().publish();
        if (publish != null) {
            if (config.repository() == null) {
                finish(JobOutcome.failed("publish: " + publish + " (expected: a service started with --repository)"));
                return;
            }
            version = ModelPublisher.publish(out, config.repository(), publish);
            note("published " + out + " as " + publish + " version " + version);
        }
        finish(JobOutcome.succeeded(summary, version));
    }

    /** Records how the job ended; a store that refuses (the job was taken over meanwhile) is logged, not thrown. */
    void finish(JobOutcome outcome) {
        try {
            store.finish(job.id(), config.owner(), outcome);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job " + job.id() + ": not finished as " + outcome.state() + ": "
                    + e.getMessage());
        }
    }
}
