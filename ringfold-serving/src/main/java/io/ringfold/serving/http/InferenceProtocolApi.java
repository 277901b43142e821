package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.Provenance;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.TensorSpec;
import io.ringfold.serving.inference.InferenceCall;
import io.ringfold.serving.inference.ProtocolExtensions;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.ServedVersion;
import io.ringfold.serving.repository.VersionState;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The Open Inference Protocol v2 over HTTP/REST (KServe, Triton, MLServer): server and model metadata,
 * readiness, {@code infer}, and the model repository extension. Tensor checks (name, datatype, shape,
 * element count, values) all happen before the request is queued.
 */
final class InferenceProtocolApi {

    private final ModelRepository repo;

    InferenceProtocolApi(ModelRepository repo) {
        this.repo = repo;
    }

    /** {@code GET /v2}. */
    HttpReply serverMetadata() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", "ringfold");
        n.put("version", Provenance.libraryVersion());
        ArrayNode extensions = n.putArray("extensions");
        ProtocolExtensions.ALL.forEach(extensions::add);
        return HttpReply.ok(n);
    }

    /** {@code GET /v2/models/{m}[/versions/{v}]}. */
    HttpReply modelMetadata(InferenceCall.Target t) {
        ServedVersion sv = repo.resolve(t.model(), t.version(), null);
        ModelSignature s = sv.signature();
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", t.model());
        ArrayNode versions = n.putArray("versions");
        for (Long v : repo.versions(t.model()).keySet()) {
            versions.add(Long.toString(v));
        }
        n.put("platform", s.platform());
        specs(n.putArray("inputs"), s.inputs());
        specs(n.putArray("outputs"), s.outputs());
        return HttpReply.ok(n);
    }

    private static void specs(ArrayNode list, List<TensorSpec> specs) {
        for (TensorSpec spec : specs) {
            ObjectNode t = list.addObject();
            t.put("name", spec.name());
            t.put("datatype", spec.datatype().name());
            ArrayNode shape = t.putArray("shape");
            for (long d : spec.shape()) {
                shape.add(d);
            }
        }
    }

    /** {@code GET /v2/models/{m}[/versions/{v}]/config}: Triton's model configuration. */
    HttpReply config(InferenceCall.Target t) {
        return HttpReply.ok(TritonViews.config(t.model(), repo.resolve(t.model(), t.version(), null)));
    }

    /**
     * {@code GET /v2/models/stats} (every model; {@code t} null) and {@code GET /v2/models/{m}[/versions/{v}]/stats}:
     * Triton's statistics of the versions serving.
     */
    HttpReply stats(InferenceCall.Target t) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        ArrayNode list = n.putArray("model_stats");
        List<String> models = t == null ? repo.modelNames() : List.of(t.model());
        for (String m : models) {
            if (t != null && t.version() != null) {
                ServedVersion sv = repo.resolve(m, t.version(), null);
                TritonViews.stats(list, m, sv.version(), sv.metrics());
                continue;
            }
            if (t != null) {
                repo.states(m); // 404 for an unknown model
            }
            for (ServedVersion sv : repo.versions(m).values()) {
                TritonViews.stats(list, m, sv.version(), sv.metrics());
            }
        }
        return HttpReply.ok(n);
    }

    /** {@code GET /v2/models/{m}[/versions/{v}]/ready}: 200 when serving; 404 for unknown models. */
    HttpReply modelReady(InferenceCall.Target t, boolean serverReady) {
        repo.states(t.model()); // 404 for an unknown model
        boolean ready = serverReady && (t.version() == null ? !repo.versions(t.model()).isEmpty()
                : repo.versions(t.model()).containsKey(t.version()));
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", t.model());
        n.put("ready", ready);
        return HttpReply.json(ready ? 200 : 503, n);
    }

    /** {@code POST /v2/models/{m}[/versions/{v}]/infer}; {@code jsonHeaderLength} is the binary extension's header or null. */
    CompletableFuture<HttpReply> infer(InferenceCall.Target t, byte[] body, String jsonHeaderLength) {
        long arrived = System.nanoTime();
        return infer(t, V2InferRequest.parse(body, jsonHeaderLength), arrived);
    }

    /** As above, for a request already read (by either path of {@link V2InferRequest}) from {@code arrivedNanos} on. */
    CompletableFuture<HttpReply> infer(InferenceCall.Target t, V2InferRequest req, long arrivedNanos) {
        return HttpInference.run(repo, t, arrivedNanos, sv -> {
            // Bad output names and parameters are refused before the request is queued.
            outputNames(sv.signature(), req.outputs());
            binaryOutputs(req);
            return req.inputs().get();
        }, (sv, out) -> {
            List<String> names = outputNames(sv.signature(), req.outputs());
            InferenceReplies.Body b = InferenceReplies.v2(t.model(), sv.version(), req.id(), req.parameters(),
                    InferenceCall.select(out, names), binaryOutputs(req));
            if (b.jsonLength() < 0) {
                return HttpReply.ok(b.bytes());
            }
            return new HttpReply(200, b.bytes(), "application/octet-stream",
                    java.util.Map.of(Router.INFERENCE_HEADER_LENGTH, Integer.toString(b.jsonLength())), -1);
        });
    }

    /**
     * The outputs to answer as binary data (Triton's extension): all with the request parameter
     * {@code binary_data_output}, else those whose {@code parameters.binary_data} is true.
     */
    private static java.util.Set<String> binaryOutputs(V2InferRequest req) {
        java.util.Set<String> names = new java.util.HashSet<>();
        JsonNode all = req.parameters() == null ? null : req.parameters().get("binary_data_output");
        if (all != null && !all.isBoolean()) {
            throw new BadInputException("parameters.binary_data_output: " + all + " (expected: true or false)");
        }
        JsonNode outputs = req.outputs();
        if (outputs != null && outputs.isArray()) {
            for (int i = 0; i < outputs.size(); i++) {
                JsonNode p = outputs.get(i).get("parameters");
                JsonNode binary = p == null ? null : p.get("binary_data");
                if (binary != null && !binary.isBoolean()) {
                    throw new BadInputException("outputs[" + i + "].parameters.binary_data: " + binary
                            + " (expected: true or false)");
                }
                if (binary != null && binary.booleanValue()) {
                    names.add(outputs.get(i).path("name").asText());
                }
            }
        }
        if (all != null && all.booleanValue()) {
            names.add(InferenceReplies.ALL);
        }
        return names;
    }

    private static List<String> outputNames(ModelSignature s, JsonNode requested) {
        if (requested == null) {
            return s.outputNames();
        }
        if (!requested.isArray()) {
            throw new BadInputException("outputs: " + JsonTensors.typeName(requested) + " (expected: an array)");
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            String name = requested.get(i).path("name").asText("");
            if (!s.outputNames().contains(name)) {
                throw new BadInputException("outputs[" + i + "].name: '" + name + "' (expected: one of " + s.outputNames() + ")");
            }
            names.add(name);
        }
        return names;
    }

    /** {@code POST /v2/repository/index}: every model and version with its state. */
    HttpReply index(byte[] body) {
        boolean readyOnly = false;
        if (body.length > 0) {
            JsonNode req = Json.object(body);
            JsonNode r = req.get("ready");
            if (r != null && !r.isBoolean()) {
                throw new ApiException(400, "ready: " + r + " (expected: true or false)");
            }
            readyOnly = r != null && r.booleanValue();
        }
        ArrayNode list = Json.MAPPER.createArrayNode();
        for (VersionState v : repo.index()) {
            if (readyOnly && !v.available()) {
                continue;
            }
            ObjectNode n = list.addObject();
            n.put("name", v.model());
            if (v.version() >= 0) {
                n.put("version", Long.toString(v.version()));
            }
            n.put("state", v.available() ? "READY" : "UNAVAILABLE");
            n.put("reason", v.reason());
        }
        return HttpReply.json(200, list);
    }
}
