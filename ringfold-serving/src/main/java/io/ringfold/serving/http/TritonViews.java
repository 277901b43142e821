package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.TensorSpec;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ServedVersion;

import java.util.List;

/**
 * Triton's model configuration and statistics extensions in Triton's own JSON shapes, so that tools written
 * for Triton (perf_analyzer, tritonclient's {@code get_model_config} and {@code get_inference_statistics})
 * read them: a batching model's dims leave out the batch dimension and {@code max_batch_size} says how many
 * rows a batch holds; statistics are counts with total nanoseconds.
 */
final class TritonViews {

    private TritonViews() {
    }

    /** {@code GET /v2/models/{m}[/versions/{v}]/config} of the served version {@code sv}. */
    static ObjectNode config(String model, ServedVersion sv) {
        ModelSignature s = sv.signature();
        boolean batching = s.inputs().stream().allMatch(TensorSpec::batched);
        BatchingConfig b = sv.batching();
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", model);
        n.put("platform", s.platform());
        n.put("backend", s.platform().equals("ringfold") ? "ringfold" : "onnxruntime");
        n.put("max_batch_size", batching ? b.maxBatchSize() : 0);
        tensors(n.putArray("input"), s.inputs(), batching);
        tensors(n.putArray("output"), s.outputs(), batching);
        if (batching && b.enabled()) {
            n.putObject("dynamic_batching").put("max_queue_delay_microseconds", b.maxQueueDelayMicros())
                    .putObject("default_queue_policy").put("max_queue_size", b.maxQueueSize());
        }
        n.putArray("instance_group").addObject().put("count", b.workers()).put("kind", "KIND_CPU");
        ObjectNode parameters = n.putObject("parameters");
        sv.servable().metadata().forEach((k, v) -> parameters.putObject(k).put("string_value", v));
        return n;
    }

    private static void tensors(ArrayNode list, List<TensorSpec> specs, boolean batching) {
        for (TensorSpec spec : specs) {
            ObjectNode t = list.addObject();
            t.put("name", spec.name());
            t.put("data_type", dataType(spec.datatype()));
            ArrayNode dims = t.putArray("dims");
            long[] shape = spec.shape();
            for (int i = batching ? 1 : 0; i < shape.length; i++) {
                dims.add(shape[i]);
            }
        }
    }

    /** Triton's config name of a datatype: {@code TYPE_FP32}, {@code TYPE_STRING} for BYTES. */
    static String dataType(DataType t) {
        return t == DataType.BYTES ? "TYPE_STRING" : "TYPE_" + t.name();
    }

    /** One version's entry of {@code model_stats}. */
    static void stats(ArrayNode list, String model, long version, ServingMetrics.Series m) {
        ObjectNode n = list.addObject();
        n.put("name", model);
        n.put("version", Long.toString(version));
        n.put("last_inference", m.lastInferenceMillis());
        n.put("inference_count", m.rows());
        n.put("execution_count", m.batchSizes().count());
        ObjectNode s = n.putObject("inference_stats");
        duration(s, "success", m.successes(), m.successNanos());
        duration(s, "fail", m.failures(), m.failureNanos());
        duration(s, "queue", m.queueLatency().count(), m.queueNanos());
        duration(s, "compute_input", 0, 0);
        duration(s, "compute_infer", m.computeLatency().count(), m.computeNanos());
        duration(s, "compute_output", 0, 0);
        duration(s, "cache_hit", 0, 0);
        duration(s, "cache_miss", 0, 0);
        n.putArray("batch_stats");
    }

    private static void duration(ObjectNode parent, String name, long count, long nanos) {
        parent.putObject(name).put("count", count).put("ns", nanos);
    }
}
