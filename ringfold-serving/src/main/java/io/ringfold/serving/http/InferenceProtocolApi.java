package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.Provenance;
import io.ringfold.serving.inference.BadInputException;
import io.ringfold.serving.inference.Outputs;
import io.ringfold.serving.inference.Signature;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.ServedVersion;
import io.ringfold.serving.repository.VersionState;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The Open Inference Protocol v2 over HTTP/REST (KServe, Triton, MLServer): server and model metadata,
 * readiness, {@code infer}, and the model repository extension. Tensor checks (name, datatype, shape,
 * element count, values) all happen before the request is queued.
 */
final class InferenceProtocolApi {

    private static final Set<String> NUMERIC = Set.of("FP16", "FP32", "FP64", "INT8", "INT16", "INT32", "INT64",
            "UINT8", "UINT16", "UINT32", "UINT64");
    private static final Set<String> DATATYPES = Set.of("BOOL", "BYTES", "BF16", "FP16", "FP32", "FP64", "INT8",
            "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64");

    private final ModelRepository repo;

    InferenceProtocolApi(ModelRepository repo) {
        this.repo = repo;
    }

    /** {@code GET /v2}. */
    HttpReply serverMetadata() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", "ringfold");
        n.put("version", Provenance.libraryVersion());
        n.putArray("extensions").add("model_repository");
        return HttpReply.ok(n);
    }

    /** {@code GET /v2/models/{m}[/versions/{v}]}. */
    HttpReply modelMetadata(InferenceCall.Target t) {
        ServedVersion sv = repo.resolve(t.model(), t.version(), null);
        Signature s = sv.signature();
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("name", t.model());
        ArrayNode versions = n.putArray("versions");
        for (Long v : repo.versions(t.model()).keySet()) {
            versions.add(Long.toString(v));
        }
        n.put("platform", "ringfold");
        ObjectNode in = n.putArray("inputs").addObject();
        in.put("name", Signature.INPUT);
        in.put("datatype", s.inputDatatype());
        in.putArray("shape").add(-1).add(s.width());
        ArrayNode outs = n.putArray("outputs");
        for (String o : s.outputNames()) {
            ObjectNode t2 = outs.addObject();
            t2.put("name", o);
            t2.put("datatype", s.outputDatatype(o));
            ArrayNode shape = t2.putArray("shape");
            for (long d : s.outputShape(o)) {
                shape.add(d);
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

    /** {@code POST /v2/models/{m}[/versions/{v}]/infer}. */
    CompletableFuture<HttpReply> infer(InferenceCall.Target t, byte[] body) {
        JsonNode req = Json.object(body);
        for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!List.of("id", "parameters", "inputs", "outputs").contains(f)) {
                throw new ApiException(400, "request: unknown field '" + f + "' (expected: id, parameters, inputs, outputs)");
            }
        }
        JsonNode id = req.get("id");
        if (id != null && !id.isTextual()) {
            throw new ApiException(400, "id: " + TfServingApi.typeName(id) + " (expected: a string)");
        }
        JsonNode params = req.get("parameters");
        if (params != null && !params.isObject()) {
            throw new ApiException(400, "parameters: " + TfServingApi.typeName(params) + " (expected: an object)");
        }
        JsonNode inputs = req.get("inputs");
        if (inputs == null || !inputs.isArray() || inputs.size() != 1) {
            throw new ApiException(400, "inputs: " + (inputs != null && inputs.isArray() ? inputs.size() + " tensors"
                    : TfServingApi.typeName(inputs)) + " (expected: an array of 1 tensor, '" + Signature.INPUT + "')");
        }
        JsonNode requested = req.get("outputs");
        return InferenceCall.run(repo, t, sv -> decode(sv.signature(), sv, inputs.get(0)), (sv, out) -> {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("model_name", t.model());
            n.put("model_version", Long.toString(sv.version()));
            if (id != null) {
                n.put("id", id.textValue());
            }
            if (params != null) {
                n.set("parameters", params);
            }
            ArrayNode outs = n.putArray("outputs");
            for (String name : outputNames(sv.signature(), requested)) {
                outs.add(tensor(sv.signature(), name, out));
            }
            return HttpReply.ok(n);
        });
    }

    private static List<String> outputNames(Signature s, JsonNode requested) {
        if (requested == null) {
            return s.outputNames();
        }
        if (!requested.isArray()) {
            throw new BadInputException("outputs: " + TfServingApi.typeName(requested) + " (expected: an array)");
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

    private static ObjectNode tensor(Signature s, String name, Outputs out) {
        ObjectNode t = Json.MAPPER.createObjectNode();
        t.put("name", name);
        t.put("datatype", s.outputDatatype(name));
        ArrayNode shape = t.putArray("shape").add(out.rows());
        ArrayNode data = t.putArray("data");
        if (Signature.PROBABILITIES.equals(name)) {
            shape.add(s.classNames().size());
            for (int r = 0; r < out.rows(); r++) {
                for (float v : out.probabilities(r)) {
                    data.add(v);
                }
            }
        } else {
            for (int r = 0; r < out.rows(); r++) {
                if (Signature.CLASS.equals(name)) {
                    data.add(out.className(r));
                } else {
                    data.add(out.value(r));
                }
            }
        }
        return t;
    }

    /** Checks the tensor's name, datatype, shape and element count against each other and the signature. */
    static InferenceCall.Rows decode(Signature s, ServedVersion sv, JsonNode in) {
        String where = "inputs[0]";
        if (!in.isObject()) {
            throw new BadInputException(where + ": " + TfServingApi.typeName(in) + " (expected: a tensor object)");
        }
        String name = in.path("name").asText(null);
        if (!Signature.INPUT.equals(name)) {
            throw new BadInputException(where + ".name: " + (name == null ? "missing" : "'" + name + "'")
                    + " (expected: '" + Signature.INPUT + "')");
        }
        where = "input '" + Signature.INPUT + "'";
        String datatype = in.path("datatype").asText(null);
        if (datatype == null || !DATATYPES.contains(datatype)) {
            throw new BadInputException(where + ": datatype " + (datatype == null ? "missing" : "'" + datatype + "'")
                    + " (expected: " + s.inputDatatype() + ")");
        }
        boolean okType = s.categorical() ? "BYTES".equals(datatype) : NUMERIC.contains(datatype);
        if (!okType) {
            throw new BadInputException(where + ": datatype " + datatype + " (expected: " + s.inputDatatype()
                    + (s.categorical() ? ", the model has categorical columns" : " or another numeric type") + ")");
        }
        JsonNode shapeNode = in.get("shape");
        if (shapeNode == null || !shapeNode.isArray() || shapeNode.size() < 1 || shapeNode.size() > 2) {
            throw new BadInputException(where + ": shape " + shapeNode + " (expected: [rows, " + s.width() + "])");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || d.longValue() < 1) {
                throw new BadInputException(where + ": shape " + shapeNode + " (expected: [rows, " + s.width()
                        + "] with positive integers)");
            }
            shape[i] = d.longValue();
        }
        long width = shape[shape.length - 1];
        if (width != s.width()) {
            throw new BadInputException(where + ": shape " + shapeNode + " (expected: [rows, " + s.width() + "], the model's "
                    + s.width() + " input columns)");
        }
        long rows = shape.length == 2 ? shape[0] : 1;
        if (rows * width > Integer.MAX_VALUE / 2) {
            throw new BadInputException(where + ": shape " + shapeNode + " (expected: fewer elements)");
        }
        JsonNode data = in.get("data");
        if (data == null || !data.isArray()) {
            throw new BadInputException(where + ": data " + TfServingApi.typeName(data) + " (expected: an array)");
        }
        List<JsonNode> flat = new ArrayList<>((int) (rows * width));
        flatten(where, data, flat, (int) (rows * width) + 1);
        if (flat.size() != rows * width) {
            throw new BadInputException(where + ": data has " + (flat.size() > rows * width ? "more than " : "")
                    + flat.size() + " elements (expected: " + rows * width + " for shape " + shapeNode + ")");
        }
        boolean integral = datatype.startsWith("INT") || datatype.startsWith("UINT");
        for (int i = 0; i < flat.size(); i++) {
            JsonNode v = flat.get(i);
            boolean ok = "BYTES".equals(datatype) ? v.isTextual() || v.isNumber()
                    : v.isNumber() && (!integral || v.isIntegralNumber());
            if (!ok) {
                throw new BadInputException(where + ": data[" + i + "] is " + TfServingApi.typeName(v) + " " + v
                        + " (expected: " + ("BYTES".equals(datatype) ? "a string" : integral ? "an integer" : "a number")
                        + " for datatype " + datatype + ")");
            }
        }
        List<List<JsonNode>> table = new ArrayList<>((int) rows);
        for (int r = 0; r < rows; r++) {
            table.add(flat.subList((int) (r * width), (int) ((r + 1) * width)));
        }
        return new InferenceCall.Rows(sv.decoder().decode(where, table), (int) rows);
    }

    /** Row-major flattening of nested arrays; stops once {@code limit} elements are seen. */
    private static void flatten(String where, JsonNode n, List<JsonNode> out, int limit) {
        for (JsonNode e : n) {
            if (out.size() >= limit) {
                return;
            }
            if (e.isArray()) {
                flatten(where, e, out, limit);
            } else if (e.isObject()) {
                throw new BadInputException(where + ": data holds an object (expected: values or nested arrays)");
            } else {
                out.add(e);
            }
        }
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
