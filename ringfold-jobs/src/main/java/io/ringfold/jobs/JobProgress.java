package io.ringfold.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How far a job has got: the epoch it finished last, out of how many, and that epoch's metrics (as
 * {@link io.ringfold.train.EpochMetrics#toJson} writes them). {@link #NONE} before the first epoch.
 */
public record JobProgress(int epoch, int epochs, ObjectNode metrics) {

    /** Bounds the metrics kept per job; an epoch's metrics are a few hundred bytes. */
    public static final int MAX_METRICS_CHARS = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    public static final JobProgress NONE = new JobProgress(0, 0, JSON.createObjectNode());

    public JobProgress {
        if (epoch < 0 || epochs < 0 || epoch > epochs) {
            throw new IllegalArgumentException("progress: epoch " + epoch + " of " + epochs
                    + " (expected: 0 <= epoch <= epochs)");
        }
        if (metrics == null) {
            throw new IllegalArgumentException("progress metrics: null (expected: a JSON object, possibly empty)");
        }
        metrics = metrics.deepCopy();
        int chars = metrics.toString().length();
        if (chars > MAX_METRICS_CHARS) {
            throw new IllegalArgumentException("progress metrics: " + chars + " characters of JSON (expected: at most "
                    + MAX_METRICS_CHARS + ")");
        }
    }

    @Override
    public ObjectNode metrics() {
        return metrics.deepCopy();
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("epoch", epoch);
        n.put("epochs", epochs);
        n.set("metrics", metrics.deepCopy());
        return n;
    }
}
