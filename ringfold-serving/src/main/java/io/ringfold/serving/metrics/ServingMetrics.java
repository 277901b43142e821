package io.ringfold.serving.metrics;

import io.ringfold.telemetry.RuntimeMetrics;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The server's metrics, labelled by model and version, and their Prometheus text form ({@link #scrape()}).
 * Label values are model names and versions the repository accepted, so their number stays bounded: a
 * request naming an unknown model is counted in {@code ringfold_http_responses_total} by status only.
 *
 * <p>The {@code ringfold_*} families are written here, from counters on the request path; the process, JVM and
 * build families ({@code process_*}, {@code jvm_*}, {@code ringfold_build_info}) come from client_java through
 * {@link RuntimeMetrics} and follow them in the same scrape.
 */
public final class ServingMetrics {

    /** Labels of one served version. */
    public record Key(String model, String version) implements Comparable<Key> {
        @Override
        public int compareTo(Key o) {
            int c = model.compareTo(o.model);
            return c != 0 ? c : version.compareTo(o.version);
        }

        String labels() {
            return "model=\"" + escape(model) + "\",version=\"" + escape(version) + "\",";
        }
    }

    /** Everything measured for one version. */
    public static final class Series {
        private final AtomicInteger inFlight;
        final LongAdder success = new LongAdder();
        final LongAdder failure = new LongAdder();
        final Histogram request = new Histogram(Histogram.LATENCY_BOUNDS);
        final Histogram queue = new Histogram(Histogram.LATENCY_BOUNDS);
        final Histogram compute = new Histogram(Histogram.LATENCY_BOUNDS);
        final Histogram batchSize = new Histogram(Histogram.BATCH_BOUNDS);
        final LongAdder successNanos = new LongAdder();
        final LongAdder failureNanos = new LongAdder();
        final LongAdder queueNanos = new LongAdder();
        final LongAdder computeNanos = new LongAdder();
        final LongAdder rows = new LongAdder();
        private volatile long lastInferenceMillis;

        Series(AtomicInteger inFlight) {
            this.inFlight = inFlight;
        }

        /** An inference request starts: counted in {@code ringfold_requests_in_flight} until {@link #ended()}. */
        public void started() {
            inFlight.incrementAndGet();
        }

        /** A request {@link #started()} has its answer or its failure. */
        public void ended() {
            inFlight.decrementAndGet();
        }

        public void success(long requestNanos) {
            success.increment();
            successNanos.add(requestNanos);
            request.observe(requestNanos / 1e9);
            lastInferenceMillis = System.currentTimeMillis();
        }

        public void failure(long requestNanos) {
            failure.increment();
            failureNanos.add(requestNanos);
            request.observe(requestNanos / 1e9);
        }

        /** Nanoseconds of all successful requests, from decoded to answered. */
        public long successNanos() {
            return successNanos.sum();
        }

        public long failureNanos() {
            return failureNanos.sum();
        }

        /** Nanoseconds requests waited in the queue, all together. */
        public long queueNanos() {
            return queueNanos.sum();
        }

        /** Nanoseconds of computation of all batches. */
        public long computeNanos() {
            return computeNanos.sum();
        }

        /** Rows (examples) computed, over all batches. */
        public long rows() {
            return rows.sum();
        }

        /** When the last successful request was answered (epoch milliseconds), 0 if none was. */
        public long lastInferenceMillis() {
            return lastInferenceMillis;
        }

        public void queued(long nanos) {
            queueNanos.add(nanos);
            queue.observe(nanos / 1e9);
        }

        public void batch(int rows, long computeNanos) {
            this.rows.add(rows);
            this.computeNanos.add(computeNanos);
            batchSize.observe(rows);
            compute.observe(computeNanos / 1e9);
        }

        public Histogram batchSizes() {
            return batchSize;
        }

        /** Seconds from the request received (before its body is read) to its reply built. */
        public Histogram requestLatency() {
            return request;
        }

        /** Seconds each request waited for its batch. */
        public Histogram queueLatency() {
            return queue;
        }

        /** Seconds of forward pass per batch. */
        public Histogram computeLatency() {
            return compute;
        }

        public long successes() {
            return success.sum();
        }

        public long failures() {
            return failure.sum();
        }
    }

    private final Map<Key, Series> series = new ConcurrentSkipListMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final RuntimeMetrics runtime = new RuntimeMetrics();
    private final Map<String, LongAdder> loadFailures = new ConcurrentSkipListMap<>();
    private final Map<Integer, LongAdder> httpResponses = new ConcurrentHashMap<>();
    private volatile Supplier<List<Key>> loadedVersions = List::of;
    private volatile LongSupplier accessLogDropped = () -> 0;
    private volatile LongSupplier networkBufferBytes = () -> 0;
    private volatile LongSupplier bufferedBodyBytes = () -> 0;
    private final ConnectionMetrics httpConnections = new ConnectionMetrics("http");
    private final ConnectionMetrics grpcConnections = new ConnectionMetrics("grpc");
    private volatile ConnectionMetrics adminConnections;

    /** The HTTP port's connections. */
    public ConnectionMetrics httpConnections() {
        return httpConnections;
    }

    /**
     * The admin port's connections ({@code --admin-port}), exported with {@code protocol="admin"} once asked for:
     * a server without an admin port has no such series.
     */
    public synchronized ConnectionMetrics adminConnections() {
        if (adminConnections == null) {
            adminConnections = new ConnectionMetrics("admin");
        }
        return adminConnections;
    }

    /** The gRPC port's connections. */
    public ConnectionMetrics grpcConnections() {
        return grpcConnections;
    }

    /** Request body bytes held now while their requests arrive (the {@code --max-buffered-body-bytes} budget). */
    public long bufferedBodyBytes() {
        return bufferedBodyBytes.getAsLong();
    }

    /** Where the {@code ringfold_buffered_body_bytes} gauge reads the bytes held of arriving bodies. */
    public void bufferedBodyBytes(LongSupplier source) {
        this.bufferedBodyBytes = source;
    }

    /** Memory of the HTTP transport's buffers in use now, in bytes. */
    public long networkBufferBytes() {
        return networkBufferBytes.getAsLong();
    }

    /** Where the {@code ringfold_network_buffer_bytes} gauge reads the HTTP transport's buffer memory in use. */
    public void networkBufferBytes(LongSupplier source) {
        this.networkBufferBytes = source;
    }

    public Series series(String model, long version) {
        return series.computeIfAbsent(new Key(model, Long.toString(version)), k -> new Series(inFlight));
    }

    /** Inference requests in progress now, over every model and both protocols. */
    public int inFlight() {
        return inFlight.get();
    }

    public void loadFailed(String model) {
        loadFailures.computeIfAbsent(model, k -> new LongAdder()).increment();
    }

    public long loadFailures(String model) {
        LongAdder a = loadFailures.get(model);
        return a == null ? 0 : a.sum();
    }

    /** Every version's series (model and version order), as a read-only view that follows new versions. */
    public Map<Key, Series> allSeries() {
        return java.util.Collections.unmodifiableMap(series);
    }

    /** HTTP responses so far by status code, in status order. */
    public Map<Integer, Long> httpResponses() {
        Map<Integer, Long> out = new TreeMap<>();
        for (Map.Entry<Integer, LongAdder> e : httpResponses.entrySet()) {
            out.put(e.getKey(), e.getValue().sum());
        }
        return out;
    }

    public void httpResponse(int status) {
        httpResponses.computeIfAbsent(status, k -> new LongAdder()).increment();
    }

    /** Where the {@code ringfold_model_version_loaded} gauge reads the versions serving now. */
    public void loadedVersions(Supplier<List<Key>> source) {
        this.loadedVersions = source;
    }

    /** Where the {@code ringfold_access_log_dropped_total} counter reads the access log's dropped lines. */
    public void accessLogDropped(LongSupplier source) {
        this.accessLogDropped = source;
    }

    /** All metrics in the Prometheus text format 0.0.4. */
    public String scrape() {
        StringBuilder out = new StringBuilder(4096);
        counter(out, "ringfold_requests_total", "Inference requests by model, version and outcome.");
        for (Map.Entry<Key, Series> e : series.entrySet()) {
            String l = e.getKey().labels();
            out.append("ringfold_requests_total{").append(l).append("outcome=\"success\"} ")
                    .append(e.getValue().success.sum()).append('\n');
            out.append("ringfold_requests_total{").append(l).append("outcome=\"failure\"} ")
                    .append(e.getValue().failure.sum()).append('\n');
        }
        gauge(out, "ringfold_requests_in_flight", "Inference requests in progress (HTTP and gRPC), from decoded to answered.");
        out.append("ringfold_requests_in_flight ").append(inFlight.get()).append('\n');
        histograms(out, "ringfold_request_duration_seconds", "Time from request received (body unread) to reply built.", 0);
        histograms(out, "ringfold_queue_duration_seconds", "Time a request waited for its batch.", 1);
        histograms(out, "ringfold_compute_duration_seconds", "Forward pass time per batch.", 2);
        histograms(out, "ringfold_batch_size", "Rows per batch.", 3);
        gauge(out, "ringfold_model_version_loaded", "1 for each model version serving now.");
        for (Key k : new java.util.TreeSet<>(loadedVersions.get())) {
            out.append("ringfold_model_version_loaded{").append(k.labels(), 0, k.labels().length() - 1)
                    .append("} 1\n");
        }
        counter(out, "ringfold_model_load_failures_total", "Model versions that failed to load or warm up.");
        for (Map.Entry<String, LongAdder> e : loadFailures.entrySet()) {
            out.append("ringfold_model_load_failures_total{model=\"").append(escape(e.getKey())).append("\"} ")
                    .append(e.getValue().sum()).append('\n');
        }
        counter(out, "ringfold_http_responses_total", "HTTP responses by status code.");
        for (Map.Entry<Integer, LongAdder> e : new TreeMap<>(httpResponses).entrySet()) {
            out.append("ringfold_http_responses_total{code=\"").append(e.getKey()).append("\"} ")
                    .append(e.getValue().sum()).append('\n');
        }
        counter(out, "ringfold_access_log_dropped_total", "Access log lines dropped because the writer fell behind.");
        out.append("ringfold_access_log_dropped_total ").append(accessLogDropped.getAsLong()).append('\n');
        connections(out);
        out.append(runtime.scrape());
        return out.toString();
    }

    private void connections(StringBuilder out) {
        StringBuilder open = new StringBuilder();
        StringBuilder refused = new StringBuilder();
        StringBuilder closed = new StringBuilder();
        httpConnections.write(open, refused, closed);
        grpcConnections.write(open, refused, closed);
        ConnectionMetrics admin = adminConnections;
        if (admin != null) {
            admin.write(open, refused, closed);
        }
        gauge(out, "ringfold_connections", "Open connections by protocol.");
        out.append(open);
        counter(out, "ringfold_connections_refused_total", "Connections refused at --max-connections, by protocol.");
        out.append(refused);
        counter(out, "ringfold_connections_closed_total",
                "Connections the server closed on a deadline or the buffered-bytes budget, by protocol and reason.");
        out.append(closed);
        gauge(out, "ringfold_network_buffer_bytes", "Memory of the HTTP transport's buffers in use.");
        out.append("ringfold_network_buffer_bytes ").append(networkBufferBytes()).append('\n');
        gauge(out, "ringfold_buffered_body_bytes", "Request body bytes held while their requests arrive.");
        out.append("ringfold_buffered_body_bytes ").append(bufferedBodyBytes()).append('\n');
    }

    private void histograms(StringBuilder out, String name, String help, int which) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" histogram\n");
        for (Map.Entry<Key, Series> e : series.entrySet()) {
            Series s = e.getValue();
            Histogram h = switch (which) {
                case 0 -> s.request;
                case 1 -> s.queue;
                case 2 -> s.compute;
                default -> s.batchSize;
            };
            h.write(out, name, e.getKey().labels());
        }
    }

    private static void counter(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" counter\n");
    }

    private static void gauge(StringBuilder out, String name, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(" gauge\n");
    }

    static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
