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

    /** {@code POST /v2/models/{m}[/versions/{v}]/infer}. */
    CompletableFuture<HttpReply> infer(InferenceCall.Target t, byte[] body) {
        return infer(t, V2InferRequest.parse(body));
    }

    /** As above, for a request already read (by either path of {@link V2InferRequest}). */
    CompletableFuture<HttpReply> infer(InferenceCall.Target t, V2InferRequest req) {
        return HttpInference.run(repo, t, sv -> {
            outputNames(sv.signature(), req.outputs()); // a bad output name is refused before the request is queued
            return req.inputs().get();
        }, (sv, out) -> HttpReply.ok(InferenceReplies.v2(t.model(), sv.version(), req.id(), req.parameters(),
                InferenceCall.select(out, outputNames(sv.signature(), req.outputs())))));
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
