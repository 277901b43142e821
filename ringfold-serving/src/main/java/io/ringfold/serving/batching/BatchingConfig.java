package io.ringfold.serving.batching;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Set;

/**
 * Batching settings of one model.
 *
 * @param enabled            false: every request runs alone, inline on the submitting thread when the model is fast (see {@link DynamicBatcher}), else as soon as a worker is free
 * @param maxBatchSize       most rows in one batch (a request with more rows runs alone); >= 1
 * @param maxQueueDelayMicros longest a request waits for others to join its batch; >= 0
 * @param maxQueueSize       most requests waiting; one more is refused (HTTP 503 with Retry-After); >= 1
 * @param workers            threads computing batches for one model version; >= 1
 */
public record BatchingConfig(boolean enabled, int maxBatchSize, long maxQueueDelayMicros, int maxQueueSize,
                             int workers) {

    private static final Set<String> FIELDS = Set.of("enabled", "max_batch_size", "max_queue_delay_us",
            "max_queue_size", "workers");

    public BatchingConfig {
        if (maxBatchSize < 1) {
            throw new IllegalArgumentException("max_batch_size: " + maxBatchSize + " (expected: >= 1)");
        }
        if (maxQueueDelayMicros < 0) {
            throw new IllegalArgumentException("max_queue_delay_us: " + maxQueueDelayMicros + " (expected: >= 0)");
        }
        if (maxQueueSize < 1) {
            throw new IllegalArgumentException("max_queue_size: " + maxQueueSize + " (expected: >= 1)");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers: " + workers + " (expected: >= 1)");
        }
    }

    /** Batching on: up to 32 rows, 500 µs delay, 1024 queued requests, one worker per core. */
    public static BatchingConfig defaults() {
        return new BatchingConfig(true, 32, 500, 1024, Runtime.getRuntime().availableProcessors());
    }

    public BatchingConfig withEnabled(boolean on) {
        return new BatchingConfig(on, maxBatchSize, maxQueueDelayMicros, maxQueueSize, workers);
    }

    public BatchingConfig withMaxBatchSize(int n) {
        return new BatchingConfig(enabled, n, maxQueueDelayMicros, maxQueueSize, workers);
    }

    public BatchingConfig withMaxQueueDelayMicros(long us) {
        return new BatchingConfig(enabled, maxBatchSize, us, maxQueueSize, workers);
    }

    public BatchingConfig withMaxQueueSize(int n) {
        return new BatchingConfig(enabled, maxBatchSize, maxQueueDelayMicros, n, workers);
    }

    public BatchingConfig withWorkers(int n) {
        return new BatchingConfig(enabled, maxBatchSize, maxQueueDelayMicros, maxQueueSize, n);
    }

    /**
     * These settings overridden by the fields present in {@code node} (a model config's {@code batching}
     * object); unknown fields are refused by name.
     */
    public BatchingConfig overriddenBy(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": " + node.getNodeType() + " (expected: an object)");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(where + "." + f + ": unknown field (expected: one of "
                        + new java.util.TreeSet<>(FIELDS) + ")");
            }
        }
        BatchingConfig c = this;
        if (node.has("enabled")) {
            c = c.withEnabled(bool(node.get("enabled"), where + ".enabled"));
        }
        if (node.has("max_batch_size")) {
            c = c.withMaxBatchSize((int) integer(node.get("max_batch_size"), where + ".max_batch_size"));
        }
        if (node.has("max_queue_delay_us")) {
            c = c.withMaxQueueDelayMicros(integer(node.get("max_queue_delay_us"), where + ".max_queue_delay_us"));
        }
        if (node.has("max_queue_size")) {
            c = c.withMaxQueueSize((int) integer(node.get("max_queue_size"), where + ".max_queue_size"));
        }
        if (node.has("workers")) {
            c = c.withWorkers((int) integer(node.get("workers"), where + ".workers"));
        }
        return c;
    }

    private static boolean bool(JsonNode n, String where) {
        if (!n.isBoolean()) {
            throw new IllegalArgumentException(where + ": " + n + " (expected: true or false)");
        }
        return n.booleanValue();
    }

    private static long integer(JsonNode n, String where) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(where + ": " + n + " (expected: an integer)");
        }
        return n.longValue();
    }
}
