package io.ringfold.serving.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.serving.metrics.Histogram;
import io.ringfold.serving.metrics.HistogramSnapshot;
import io.ringfold.serving.metrics.ServingMetrics;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The server's own metrics ({@link ServingMetrics}) for the dashboard: inference requests by outcome,
 * latency percentiles and batch sizes per model version and in total, and HTTP responses by status. Counts
 * and percentiles cover everything since the server started; the page derives the request rate from two
 * readings' {@code requests} and {@code uptime_seconds}.
 */
public final class ServerView {

    private final ServingMetrics metrics;
    private final BooleanSupplier ready;
    private final long startNanos = System.nanoTime();

    public ServerView(ServingMetrics metrics, BooleanSupplier ready) {
        this.metrics = metrics;
        this.ready = ready;
    }

    public ObjectNode server() {
        ObjectNode root = ViewJson.MAPPER.createObjectNode();
        root.put("ready", ready.getAsBoolean());
        root.put("uptime_seconds", (System.nanoTime() - startNanos) / 1e9);
        ObjectNode codes = root.putObject("http_responses");
        for (Map.Entry<Integer, Long> e : metrics.httpResponses().entrySet()) {
            codes.put(Integer.toString(e.getKey()), e.getValue());
        }
        HistogramSnapshot latency = HistogramSnapshot.empty(Histogram.LATENCY_BOUNDS);
        HistogramSnapshot batches = HistogramSnapshot.empty(Histogram.BATCH_BOUNDS);
        long success = 0;
        long failure = 0;
        ArrayNode list = root.putArray("series");
        for (Map.Entry<ServingMetrics.Key, ServingMetrics.Series> e : metrics.allSeries().entrySet()) {
            ServingMetrics.Series s = e.getValue();
            HistogramSnapshot l = s.requestLatency().snapshot();
            HistogramSnapshot b = s.batchSizes().snapshot();
            ObjectNode n = list.addObject();
            n.put("model", e.getKey().model());
            n.put("version", e.getKey().version());
            requests(n, s.successes(), s.failures());
            latency(n.putObject("latency"), l);
            latency(n.putObject("queue"), s.queueLatency().snapshot());
            latency(n.putObject("compute"), s.computeLatency().snapshot());
            batchSizes(n.putObject("batch_size"), b);
            success += s.successes();
            failure += s.failures();
            latency = latency.plus(l);
            batches = batches.plus(b);
        }
        ObjectNode total = root.putObject("total");
        requests(total, success, failure);
        latency(total.putObject("latency"), latency);
        batchSizes(total.putObject("batch_size"), batches);
        return root;
    }

    private static void requests(ObjectNode n, long success, long failure) {
        n.put("requests", success + failure);
        n.put("success", success);
        n.put("failure", failure);
    }

    /** Count, mean and the 50th, 90th and 99th percentiles, in milliseconds. */
    static void latency(ObjectNode n, HistogramSnapshot h) {
        n.put("count", h.count());
        ViewJson.putNumber(n, "mean_ms", h.mean() * 1e3);
        ViewJson.putNumber(n, "p50_ms", h.quantile(0.5) * 1e3);
        ViewJson.putNumber(n, "p90_ms", h.quantile(0.9) * 1e3);
        ViewJson.putNumber(n, "p99_ms", h.quantile(0.99) * 1e3);
    }

    /** Count, mean and the batches in each size bucket (rows up to {@code le}). */
    static void batchSizes(ObjectNode n, HistogramSnapshot h) {
        n.put("count", h.count());
        ViewJson.putNumber(n, "mean", h.mean());
        ArrayNode buckets = n.putArray("buckets");
        double[] bounds = h.bounds();
        long[] counts = h.counts();
        for (int i = 0; i < bounds.length; i++) {
            buckets.addObject().put("le", (long) bounds[i]).put("count", counts[i]);
        }
        buckets.addObject().put("le", "+Inf").put("count", h.overflow());
    }
}
