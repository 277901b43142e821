package io.ringfold.serving;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringfold.model.Provenance;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code /metrics} over real sockets: the families it had, the process, JVM and build ones, requests in flight. */
class MetricsEndToEndTest {

    /**
     * Every family {@code /metrics} exported before the runtime metrics moved to client_java, with its type and
     * label names (from ServingMetrics' writer of that time): dashboards and the autoscaler read these.
     */
    private static final Map<String, String> BEFORE = Map.ofEntries(
            Map.entry("ringfold_requests_total", "counter model,outcome,version"),
            Map.entry("ringfold_request_duration_seconds", "histogram model,version"),
            Map.entry("ringfold_queue_duration_seconds", "histogram model,version"),
            Map.entry("ringfold_compute_duration_seconds", "histogram model,version"),
            Map.entry("ringfold_batch_size", "histogram model,version"),
            Map.entry("ringfold_model_version_loaded", "gauge model,version"),
            Map.entry("ringfold_model_load_failures_total", "counter model"),
            Map.entry("ringfold_http_responses_total", "counter code"),
            Map.entry("ringfold_access_log_dropped_total", "counter "),
            Map.entry("ringfold_connections", "gauge protocol"),
            Map.entry("ringfold_connections_refused_total", "counter protocol"),
            Map.entry("ringfold_connections_closed_total", "counter protocol,reason"),
            Map.entry("ringfold_network_buffer_bytes", "gauge "),
            Map.entry("ringfold_buffered_body_bytes", "gauge "),
            Map.entry("jvm_memory_used_bytes", "gauge area"),
            Map.entry("jvm_memory_max_bytes", "gauge area"),
            Map.entry("jvm_buffer_pool_used_bytes", "gauge pool"),
            Map.entry("jvm_gc_collections_total", "counter gc"),
            Map.entry("jvm_gc_collection_seconds_total", "counter gc"));

    /** New: the process, the JVM's threads and classes, the build, requests in flight. */
    private static final Map<String, String> ADDED = Map.ofEntries(
            Map.entry("process_cpu_seconds_total", "counter "),
            Map.entry("process_start_time_seconds", "gauge "),
            Map.entry("process_resident_memory_bytes", "gauge "),
            Map.entry("process_open_fds", "gauge "),
            Map.entry("jvm_memory_committed_bytes", "gauge area"),
            Map.entry("jvm_threads_current", "gauge "),
            Map.entry("jvm_threads_state", "gauge state"),
            Map.entry("jvm_classes_currently_loaded", "gauge "),
            Map.entry("jvm_classes_loaded_total", "counter "),
            Map.entry("jvm_runtime_info", "gauge runtime,vendor,version"),
            Map.entry("ringfold_build_info", "gauge revision,version"),
            Map.entry("ringfold_requests_in_flight", "gauge "));

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final String ROW = "{\"instances\": [[1, 0]]}";

    @TempDir
    Path repo;

    private final GatedBlas gate = new GatedBlas();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InferenceServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        // A version that fails to load, so that ringfold_model_load_failures_total has a sample.
        Files.createDirectories(repo.resolve("broken/1"));
        Files.writeString(repo.resolve("broken/1/model.rfm"), "not a model");
        ServerConfig config = ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO).withHost("127.0.0.1")
                .withPort(0).withGrpcPort(0).withPollSeconds(0).withBatching(new BatchingConfig(true, 1, 0, 4, 1))
                .withGracePeriod(Duration.ofSeconds(10));
        server = InferenceServer.start(config, gate);
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        gate.open();
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdown();
    }

    @Test
    void everyFamilyOfBeforeKeepsItsTypeAndLabelsBesideTheProcessJvmAndBuildFamilies() throws Exception {
        assertThat(predict().join().statusCode()).isEqualTo(200);
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("text/plain; version=0.0.4; charset=utf-8");
        Exposition e = Exposition.parse(r.body());

        Map<String, String> want = new HashMap<>(BEFORE);
        want.putAll(ADDED);
        for (Map.Entry<String, String> w : want.entrySet()) {
            String family = w.getKey();
            String type = w.getValue().split(" ", -1)[0];
            assertThat(e.types).as("# TYPE of " + family).containsEntry(family, type);
            Set<String> labels = new TreeSet<>(List.of(w.getValue().split(" ", -1)[1].split(",")));
            labels.remove("");
            List<Set<String>> seen = e.labelSets(family, type);
            assertThat(seen).as("samples of " + family).isNotEmpty();
            assertThat(seen).as("label names of " + family).allSatisfy(s -> assertThat(s).isEqualTo(labels));
        }
        assertThat(e.samples).as("the build's version and commit").contains(
                "ringfold_build_info{revision=\"" + Provenance.libraryRevision() + "\",version=\""
                        + Provenance.libraryVersion() + "\"} 1");
        assertThat(Provenance.libraryVersion()).isNotEqualTo("unknown");
        assertThat(e.value("ringfold_requests_total{model=\"iris\",version=\"1\",outcome=\"success\"}")).isEqualTo(1);
        assertThat(e.value("process_resident_memory_bytes")).isPositive();
        assertThat(e.value("jvm_threads_current")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void requestsInFlightCountsHttpAndGrpcInferencesUntilAnswered() throws Exception {
        assertThat(inFlight()).isZero();
        gate.close();
        CompletableFuture<HttpResponse<String>> http = predict();
        gate.awaitWaiting(1); // computing, held at the gate
        var grpc = GRPCInferenceServiceGrpc.newFutureStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .modelInfer(ModelInferRequest.newBuilder().setModelName("iris")
                        .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("input").setDatatype("FP32")
                                .addShape(1).addShape(2).setContents(InferTensorContents.newBuilder()
                                        .addFp32Contents(1).addFp32Contents(0)))
                        .build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (server.repository().resolve("iris", null, null).queued() < 1) {
            assertThat(System.nanoTime()).as("gRPC request queued within 10 s").isLessThan(deadline);
            Thread.sleep(1);
        }
        assertThat(inFlight()).as("one computing (HTTP), one queued (gRPC)").isEqualTo(2);
        assertThat(server.metrics().inFlight()).isEqualTo(2);

        gate.open();
        assertThat(http.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        ModelInferResponse answered = grpc.get(20, TimeUnit.SECONDS);
        assertThat(answered.getOutputsCount()).isPositive();
        assertThat(inFlight()).as("both answered").isZero();

        // A request refused before the batcher (bad input) is counted while it is decoded, and ended too.
        HttpResponse<String> bad = client.send(HttpRequest.newBuilder(uri("/v1/models/iris:predict"))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [[1]]}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(inFlight()).isZero();
    }

    private double inFlight() throws Exception {
        return Exposition.parse(get("/metrics").body()).value("ringfold_requests_in_flight");
    }

    private CompletableFuture<HttpResponse<String>> predict() {
        return client.sendAsync(HttpRequest.newBuilder(uri("/v1/models/iris:predict")).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(ROW)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    /** A Prometheus text exposition, read line by line: its families' types and its samples. */
    static final class Exposition {
        final Map<String, String> types = new HashMap<>();
        final List<String> samples = new ArrayList<>();

        static Exposition parse(String text) {
            Exposition e = new Exposition();
            for (String line : text.split("\n", -1)) {
                if (line.startsWith("# TYPE ")) {
                    String[] p = line.split(" ");
                    assertThat(e.types.put(p[2], p[3])).as("one # TYPE line for " + p[2]).isNull();
                } else if (!line.isEmpty() && !line.startsWith("#")) {
                    assertThat(line).as("a sample line").matches(SAMPLE);
                    e.samples.add(line);
                }
            }
            return e;
        }

        /** The label names of every sample of {@code family} (a histogram's le left out). */
        List<Set<String>> labelSets(String family, String type) {
            List<String> names = type.equals("histogram")
                    ? List.of(family + "_bucket", family + "_sum", family + "_count") : List.of(family);
            List<Set<String>> out = new ArrayList<>();
            for (String s : samples) {
                Matcher m = SAMPLE.matcher(s);
                assertThat(m.matches()).isTrue();
                if (names.contains(m.group(1))) {
                    Set<String> labels = new TreeSet<>();
                    Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
                    while (l.find()) {
                        labels.add(l.group(1));
                    }
                    labels.remove("le");
                    out.add(labels);
                }
            }
            return out;
        }

        /** The value of the sample named exactly {@code series} (name and labels as written). */
        double value(String series) {
            for (String s : samples) {
                if (s.startsWith(series + " ")) {
                    return Double.parseDouble(s.substring(series.length() + 1));
                }
            }
            throw new AssertionError("no sample " + series + " in " + samples.size() + " samples");
        }
    }
}
