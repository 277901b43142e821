package io.ringfold.serving.repository;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.serving.backend.onnx.OnnxOptions;
import io.ringfold.serving.batching.BatchingConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A model's optional {@code config.json}:
 * <pre>{@code
 * {"version_policy": {"latest": {"num_versions": 2}},
 *  "version_labels": {"stable": 1, "canary": 2},
 *  "batching": {"enabled": true, "max_batch_size": 32, "max_queue_delay_us": 500, "max_queue_size": 1024, "workers": 2},
 *  "onnx": {"intra_op_threads": 1, "inter_op_threads": 1, "optimization_level": "all"}}
 * }</pre>
 * Every field is optional; unknown fields are refused by name. Defaults: the latest version, no labels,
 * the server's batching settings, {@link OnnxOptions#defaults()} (used by ONNX models only).
 */
public record ModelConfig(VersionPolicy policy, Map<String, Long> labels, BatchingConfig batching, OnnxOptions onnx) {

    public static final String FILE_NAME = "config.json";
    /** A config is a few hundred bytes; it is read whole, so its size is bounded like a model header's. */
    static final long MAX_CONFIG_BYTES = 64 << 10;
    /**
     * The largest queue and the most workers a config.json may ask for: the queue is an array allocated when
     * each version loads (1M slots, 4 to 8 MB) and each worker a thread, so a file must not size them at will.
     */
    static final int MAX_QUEUE_SIZE = 1 << 20;
    static final int MAX_WORKERS = 256;
    private static final Set<String> FIELDS = Set.of("version_policy", "version_labels", "batching", "onnx");
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    public ModelConfig {
        labels = Map.copyOf(labels);
    }

    /** A config with the default ONNX session options. */
    public ModelConfig(VersionPolicy policy, Map<String, Long> labels, BatchingConfig batching) {
        this(policy, labels, batching, OnnxOptions.defaults());
    }

    public static ModelConfig defaults(BatchingConfig batching) {
        return new ModelConfig(new VersionPolicy.Latest(1), Map.of(), batching);
    }

    /** Reads {@code modelDir/config.json}, or the defaults when there is none. */
    public static ModelConfig read(Path modelDir, BatchingConfig serverBatching) throws IOException {
        Path file = modelDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return defaults(serverBatching);
        }
        long size = Files.size(file);
        if (size > MAX_CONFIG_BYTES) {
            throw new IOException(file + ": " + size + " bytes (expected: at most " + MAX_CONFIG_BYTES + ")");
        }
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": malformed JSON: " + e.getOriginalMessage(), e);
        }
        try {
            return parse(root, serverBatching);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    static ModelConfig parse(JsonNode root, BatchingConfig serverBatching) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("config: " + (root == null ? "empty" : root.getNodeType())
                    + " (expected: a JSON object)");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(f + ": unknown field (expected: one of " + new java.util.TreeSet<>(FIELDS) + ")");
            }
        }
        VersionPolicy policy = root.has("version_policy") ? VersionPolicy.fromJson(root.get("version_policy"))
                : new VersionPolicy.Latest(1);
        Map<String, Long> labels = new TreeMap<>();
        JsonNode l = root.get("version_labels");
        if (l != null) {
            if (!l.isObject()) {
                throw new IllegalArgumentException("version_labels: " + l.getNodeType() + " (expected: an object)");
            }
            for (Map.Entry<String, JsonNode> e : l.properties()) {
                if (!RepositoryNames.isModelName(e.getKey())) {
                    throw new IllegalArgumentException("version_labels: label " + RepositoryNames.quote(e.getKey())
                            + " (expected: letters, digits, '_', '-' or '.')");
                }
                if (!e.getValue().isIntegralNumber() || e.getValue().longValue() < 0) {
                    throw new IllegalArgumentException("version_labels." + e.getKey() + ": " + e.getValue()
                            + " (expected: a version number >= 0)");
                }
                labels.put(e.getKey(), e.getValue().longValue());
            }
        }
        BatchingConfig batching = serverBatching;
        if (root.has("batching")) {
            batching = serverBatching.overriddenBy(root.get("batching"), "batching");
            atMost(root.get("batching"), "max_queue_size", batching.maxQueueSize(), MAX_QUEUE_SIZE);
            atMost(root.get("batching"), "workers", batching.workers(), MAX_WORKERS);
        }
        OnnxOptions onnx = root.has("onnx") ? OnnxOptions.defaults().overriddenBy(root.get("onnx"), "onnx")
                : OnnxOptions.defaults();
        return new ModelConfig(policy, labels, batching, onnx);
    }

    private static void atMost(JsonNode batching, String field, int value, int max) {
        if (batching.has(field) && value > max) {
            throw new IllegalArgumentException("batching." + field + ": " + value + " (expected: at most " + max
                    + " in a model's config)");
        }
    }
}
