package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.serving.inference.BadInputException;
import io.ringfold.serving.inference.InferenceCall;
import io.ringfold.serving.inference.Outputs;
import io.ringfold.serving.inference.Signature;
import io.ringfold.serving.inference.TensorDecoder;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.ServedVersion;
import io.ringfold.serving.repository.VersionState;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * TensorFlow Serving's REST API: model status, metadata, and {@code :predict}, {@code :classify} and
 * {@code :regress}. The one input is {@value Signature#INPUT}; predictions of a classifier are objects
 * {@code {"class": ..., "probabilities": [...]}}, of a regressor {@code {"value": ...}}, exactly as
 * {@code ringfold predict} prints them.
 */
final class TfServingApi {

    private final ModelRepository repo;

    TfServingApi(ModelRepository repo) {
        this.repo = repo;
    }

    /** {@code GET /v1/models/{m}[/versions/{v}|/labels/{l}]}. */
    HttpReply status(InferenceCall.Target t) {
        List<VersionState> states = repo.states(t.model());
        Long only = t.version();
        if (t.label() != null) {
            only = repo.resolve(t.model(), null, t.label()).version();
        }
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode list = root.putArray("model_version_status");
        for (VersionState s : states) {
            if (only != null && s.version() != only) {
                continue;
            }
            ObjectNode v = list.addObject();
            v.put("version", Long.toString(s.version()));
            v.put("state", s.available() ? "AVAILABLE" : "END");
            ObjectNode st = v.putObject("status");
            st.put("error_code", s.available() ? "OK" : "UNKNOWN");
            st.put("error_message", s.reason());
        }
        if (list.isEmpty()) {
            throw new ApiException(404, "model '" + t.model() + "': version " + only + " not found (versions: "
                    + states.stream().map(VersionState::version).toList() + ")");
        }
        return HttpReply.ok(root);
    }

    /** {@code GET .../metadata}: the signature as TensorFlow Serving's {@code signature_def}. */
    HttpReply metadata(InferenceCall.Target t) {
        ServedVersion sv = repo.resolve(t.model(), t.version(), t.label());
        Signature s = sv.signature();
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode spec = root.putObject("model_spec");
        spec.put("name", t.model());
        spec.put("signature_name", "");
        spec.put("version", Long.toString(sv.version()));
        ObjectNode sig = root.putObject("metadata").putObject("signature_def").putObject("signature_def")
                .putObject("serving_default");
        tensorInfo(sig.putObject("inputs"), Signature.INPUT, s.takesStrings() ? "DT_STRING" : "DT_FLOAT",
                s.inputShape());
        ObjectNode outs = sig.putObject("outputs");
        for (String o : s.outputNames()) {
            tensorInfo(outs, o, "BYTES".equals(s.outputDatatype(o)) ? "DT_STRING" : "DT_FLOAT", s.outputShape(o));
        }
        sig.put("method_name", "tensorflow/serving/predict");
        return HttpReply.ok(root);
    }

    private static void tensorInfo(ObjectNode parent, String name, String dtype, long[] shape) {
        ObjectNode t = parent.putObject(name);
        t.put("dtype", dtype);
        ArrayNode dims = t.putObject("tensor_shape").putArray("dim");
        for (long d : shape) {
            dims.addObject().put("size", Long.toString(d)).put("name", "");
        }
        t.put("name", name);
    }

    /** A checked {@code :predict} body: its format (row or columnar) and the decoding of its rows for a version. */
    record Predict(boolean rowFormat, Function<ServedVersion, InferenceCall.Rows> decode) {
    }

    /** {@code POST ...:predict} with {@code instances} (row format) or {@code inputs} (columnar format). */
    CompletableFuture<HttpReply> predict(InferenceCall.Target t, byte[] body) {
        return predict(t, predictRequest(body));
    }

    /** As above, for a body already read (by either path of {@link #predictRequest}). */
    CompletableFuture<HttpReply> predict(InferenceCall.Target t, Predict p) {
        return HttpInference.run(repo, t, p.decode(), (sv, out) -> p.rowFormat()
                ? HttpReply.ok(InferenceReplies.predictions(sv.signature(), out)) : HttpReply.ok(columnar(sv.signature(), out)));
    }

    /**
     * The body streamed when it is plain row format ({@link StreamedInstances}), else read as a tree
     * ({@link #predictTree}), which alone decides every error: rows that do not fit the version's signature
     * are decoded by the tree path too, for its message.
     */
    static Predict predictRequest(byte[] body) {
        StreamedInstances fast = StreamedInstances.scan(body);
        if (fast == null) {
            fast = StreamedInstances.read(body);
        }
        if (fast == null) {
            return predictTree(body);
        }
        StreamedInstances read = fast;
        return new Predict(true, sv -> {
            InferenceCall.Rows rows = read.rows(sv);
            return rows != null ? rows : predictTree(body).decode().apply(sv);
        });
    }

    /** The body read as a JSON tree; every malformed or unexpected body is refused here, by name. */
    static Predict predictTree(byte[] body) {
        JsonNode req = Json.object(body);
        checkFields(req, List.of("signature_name", "instances", "inputs"));
        JsonNode sigName = req.get("signature_name");
        if (sigName != null && !"serving_default".equals(sigName.asText())) {
            throw new ApiException(400, "signature_name: '" + sigName.asText() + "' (expected: serving_default)");
        }
        boolean rowFormat = req.has("instances");
        if (rowFormat == req.has("inputs")) {
            throw new ApiException(400, "request: " + (rowFormat ? "both 'instances' and 'inputs'" : "neither 'instances' nor 'inputs'")
                    + " (expected: exactly one)");
        }
        String where = rowFormat ? "instances" : "inputs";
        JsonNode data = unwrapNamed(req.get(where), where, rowFormat);
        return new Predict(rowFormat, sv -> rows(sv, where, data));
    }

    /** Row format allows {@code [{"input": [...]}, ...]}; columnar {@code {"input": [[...], ...]}}. */
    private static JsonNode unwrapNamed(JsonNode data, String where, boolean rowFormat) {
        if (!rowFormat && data.isObject()) {
            checkNamedInput(data, where);
            return data.get(Signature.INPUT);
        }
        if (rowFormat && data.isArray()) {
            ArrayNode rows = Json.MAPPER.createArrayNode();
            for (int i = 0; i < data.size(); i++) {
                JsonNode inst = data.get(i);
                if (inst.isObject()) {
                    checkNamedInput(inst, where + "[" + i + "]");
                    rows.add(inst.get(Signature.INPUT));
                } else {
                    rows.add(inst);
                }
            }
            return rows;
        }
        return data;
    }

    private static void checkNamedInput(JsonNode obj, String where) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!Signature.INPUT.equals(f)) {
                throw new BadInputException(where + ": input '" + f + "' (expected: '" + Signature.INPUT + "')");
            }
        }
        if (!obj.has(Signature.INPUT)) {
            throw new BadInputException(where + ": no input '" + Signature.INPUT + "'");
        }
    }

    private static InferenceCall.Rows rows(ServedVersion sv, String where, JsonNode data) {
        if (!data.isArray()) {
            throw new BadInputException(where + ": " + typeName(data) + " (expected: an array of rows)");
        }
        List<List<JsonNode>> rows = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            JsonNode row = data.get(i);
            if (!row.isArray()) {
                throw new BadInputException(where + "[" + i + "]: " + typeName(row) + " (expected: an array of "
                        + sv.signature().width() + " values)");
            }
            List<JsonNode> cells = new ArrayList<>(row.size());
            int[] shape = sv.signature().exampleShape();
            if (shape.length > 1 && row.size() > 0 && row.get(0).isArray()) {
                nested(where + "[" + i + "]", row, shape, 0, cells);
            } else {
                row.forEach(cells::add);
            }
            rows.add(cells);
        }
        return new InferenceCall.Rows(sv.decoder().decode(where, rows), rows.size());
    }

    /** An image instance written with its shape, {@code [[[...28 values], ...28 rows]]}, as its flat values. */
    private static void nested(String where, JsonNode a, int[] shape, int level, List<JsonNode> out) {
        if (!a.isArray() || a.size() != shape[level]) {
            StringBuilder expected = new StringBuilder();
            for (int d : shape) {
                expected.append(expected.length() == 0 ? "" : "x").append(d);
            }
            throw new BadInputException(where + ": " + (a.isArray() ? a.size() + " values" : typeName(a)) + " at depth "
                    + level + " (expected: " + shape[level] + ", an example of shape " + expected + ", or a flat row)");
        }
        for (JsonNode v : a) {
            if (level + 1 < shape.length) {
                nested(where, v, shape, level + 1, out);
            } else {
                out.add(v);
            }
        }
    }

    private static ObjectNode columnar(Signature s, Outputs out) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode outputs = root.putObject("outputs");
        if (s.classifier()) {
            ArrayNode cls = outputs.putArray(Signature.CLASS);
            ArrayNode probs = outputs.putArray(Signature.PROBABILITIES);
            for (int r = 0; r < out.rows(); r++) {
                cls.add(out.className(r));
                ArrayNode row = probs.addArray();
                for (float v : out.probabilities(r)) {
                    row.add(v);
                }
            }
        } else {
            ArrayNode vals = outputs.putArray(Signature.VALUE);
            for (int r = 0; r < out.rows(); r++) {
                vals.add(out.value(r));
            }
        }
        return root;
    }

    /**
     * {@code POST ...:classify} and {@code ...:regress}: {@code examples} are objects keyed by input column
     * name, with {@code context} holding features shared by all of them.
     */
    CompletableFuture<HttpReply> classifyOrRegress(InferenceCall.Target t, byte[] body, boolean classify) {
        JsonNode req = Json.object(body);
        checkFields(req, List.of("signature_name", "context", "examples"));
        JsonNode examples = req.get("examples");
        if (examples == null || !examples.isArray()) {
            throw new ApiException(400, "examples: " + typeName(examples) + " (expected: an array of objects)");
        }
        JsonNode context = req.path("context");
        return HttpInference.run(repo, t, sv -> {
            Signature s = sv.signature();
            if (classify != s.classifier()) {
                throw new ApiException(400, (classify ? ":classify" : ":regress") + ": model '" + t.model() + "' is a "
                        + (s.classifier() ? "classifier" : "regressor") + " (expected: "
                        + (s.classifier() ? ":classify or :predict" : ":regress or :predict") + ")");
            }
            List<List<JsonNode>> rows = new ArrayList<>();
            for (int i = 0; i < examples.size(); i++) {
                rows.add(exampleRow(s, examples.get(i), context, i));
            }
            return new InferenceCall.Rows(sv.decoder().decode("examples", rows), rows.size());
        }, (sv, out) -> {
            ObjectNode root = Json.MAPPER.createObjectNode();
            ArrayNode results = root.putArray("results");
            List<String> names = sv.signature().classNames();
            for (int r = 0; r < out.rows(); r++) {
                if (classify) {
                    ArrayNode pairs = results.addArray();
                    float[] p = out.probabilities(r);
                    for (int k = 0; k < p.length; k++) {
                        pairs.addArray().add(names.get(k)).add(p[k]);
                    }
                } else {
                    results.add(out.value(r));
                }
            }
            return HttpReply.ok(root);
        });
    }

    private static List<JsonNode> exampleRow(Signature s, JsonNode ex, JsonNode context, int i) {
        if (!ex.isObject()) {
            throw new BadInputException("examples[" + i + "]: " + typeName(ex) + " (expected: an object of features)");
        }
        for (Map.Entry<String, JsonNode> field : ex.properties()) {
            String f = field.getKey();
            if (!s.columns().contains(f)) {
                throw new BadInputException("examples[" + i + "]: feature '" + f + "' unknown (expected: one of "
                        + s.columns() + ")");
            }
        }
        List<JsonNode> cells = new ArrayList<>(s.width());
        for (String c : s.columns()) {
            JsonNode v = ex.has(c) ? ex.get(c) : context.get(c);
            if (v == null) {
                throw new BadInputException("examples[" + i + "]: feature '" + c + "' missing (expected: in the example or the context)");
            }
            // TensorFlow's Example format wraps single values in lists; accept [x] as x.
            cells.add(v.isArray() && v.size() == 1 ? v.get(0) : v);
        }
        return cells;
    }

    private static void checkFields(JsonNode req, List<String> allowed) {
        for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                throw new ApiException(400, "request: unknown field '" + f + "' (expected: " + allowed + ")");
            }
        }
    }

    static String typeName(JsonNode n) {
        return TensorDecoder.typeName(n);
    }
}
