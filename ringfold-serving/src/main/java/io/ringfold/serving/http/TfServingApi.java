package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.core.TensorSpec;
import io.ringfold.serving.inference.InferenceCall;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.ServedVersion;
import io.ringfold.serving.repository.VersionState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * TensorFlow Serving's REST API: model status, metadata, and {@code :predict}, {@code :classify} and
 * {@code :regress}. Instances and inputs are decoded into the model's input tensors with the datatypes of its
 * signature ({@code {"b64": ...}} for binary BYTES values); predictions of a Ringfold classifier are objects
 * {@code {"probabilities": [...], "class": ...}}, of a regressor {@code {"value": ...}}, exactly as
 * {@code ringfold predict} prints them. {@code :classify} and {@code :regress} take examples keyed by column
 * name, so they serve models with named columns (Ringfold's tabular models).
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
        ModelSignature s = sv.signature();
        ObjectNode root = Json.MAPPER.createObjectNode();
        ObjectNode spec = root.putObject("model_spec");
        spec.put("name", t.model());
        spec.put("signature_name", "");
        spec.put("version", Long.toString(sv.version()));
        ObjectNode sig = root.putObject("metadata").putObject("signature_def").putObject("signature_def")
                .putObject("serving_default");
        ObjectNode ins = sig.putObject("inputs");
        s.inputs().forEach(in -> tensorInfo(ins, in));
        ObjectNode outs = sig.putObject("outputs");
        s.outputs().forEach(o -> tensorInfo(outs, o));
        sig.put("method_name", "tensorflow/serving/predict");
        return HttpReply.ok(root);
    }

    private static void tensorInfo(ObjectNode parent, TensorSpec spec) {
        ObjectNode t = parent.putObject(spec.name());
        t.put("dtype", spec.datatype().tensorflowName());
        ArrayNode dims = t.putObject("tensor_shape").putArray("dim");
        for (long d : spec.shape()) {
            dims.addObject().put("size", Long.toString(d)).put("name", "");
        }
        t.put("name", spec.name());
    }

    /** A checked {@code :predict} body: its format (row or columnar) and its input tensors for a version. */
    record Predict(boolean rowFormat, Function<ServedVersion, List<Tensor>> decode) {
    }

    /** {@code POST ...:predict} with {@code instances} (row format) or {@code inputs} (columnar format). */
    CompletableFuture<HttpReply> predict(InferenceCall.Target t, byte[] body) {
        long arrived = System.nanoTime();
        return predict(t, predictRequest(body), arrived);
    }

    /** As above, for a body already read (by either path of {@link #predictRequest}) from {@code arrivedNanos} on. */
    CompletableFuture<HttpReply> predict(InferenceCall.Target t, Predict p, long arrivedNanos) {
        return HttpInference.run(repo, t, arrivedNanos, p.decode(), (sv, out) -> HttpReply.ok(p.rowFormat()
                ? InferenceReplies.predictions(sv.signature(), out) : InferenceReplies.columnar(sv.signature(), out)));
    }

    /**
     * The body streamed when it is plain row format ({@link StreamedInstances}), else read as a tree
     * ({@link #predictTree}), which alone decides every error: rows the streamed form cannot give as the
     * model's input are decoded by the tree path.
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
            Tensor t = read.tensor(sv.signature());
            return t != null ? List.of(t) : predictTree(body).decode().apply(sv);
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
        JsonNode data = req.get(rowFormat ? "instances" : "inputs");
        return new Predict(rowFormat, sv -> rowFormat ? instances(sv.signature(), data) : columns(sv.signature(), data));
    }

    /**
     * Row format: {@code [value, ...]} for a model of one input, or {@code [{"name": value, ...}, ...]} naming
     * every input; each input's instances share a shape, and the tensor is {@code [instances, ...that shape]}.
     */
    private static List<Tensor> instances(ModelSignature s, JsonNode data) {
        if (!data.isArray() || data.isEmpty()) {
            throw new BadInputException("instances: " + (data.isArray() ? "0 rows" : typeName(data))
                    + " (expected: an array of at least 1 instance)");
        }
        boolean named = data.get(0).isObject() && !data.get(0).has("b64");
        if (!named && s.inputs().size() != 1) {
            throw new BadInputException("instances[0]: " + typeName(data.get(0)) + " (expected: an object of the inputs "
                    + s.inputNames() + ")");
        }
        List<Tensor> tensors = new ArrayList<>(s.inputs().size());
        for (TensorSpec spec : s.inputs()) {
            List<JsonNode> perInstance = new ArrayList<>(data.size());
            for (int i = 0; i < data.size(); i++) {
                JsonNode inst = data.get(i);
                perInstance.add(named ? namedInput(inst, s, spec.name(), "instances[" + i + "]") : inst);
            }
            tensors.add(stacked(spec, perInstance));
        }
        return tensors;
    }

    /** The instances of one input stacked along a new first dimension. */
    private static Tensor stacked(TensorSpec spec, List<JsonNode> instances) {
        long[] one = JsonTensors.shapeOf(instances.get(0));
        long per = Tensor.elementCount(one);
        long[] shape = new long[one.length + 1];
        shape[0] = instances.size();
        System.arraycopy(one, 0, shape, 1, one.length);
        long count = Tensor.elementCount(shape);
        if (per < 0 || count < 0) {
            throw new BadInputException("instances: input '" + spec.name() + "' of shape " + Arrays.toString(shape)
                    + " (expected: at most " + Integer.MAX_VALUE + " values)");
        }
        List<JsonNode> flat = new ArrayList<>((int) Math.min(count, 8192));
        for (int i = 0; i < instances.size(); i++) {
            int before = flat.size();
            JsonNode inst = instances.get(i);
            if (inst.isArray()) {
                JsonTensors.flatten("instances[" + i + "]", inst, flat, before + per + 1);
            } else {
                flat.add(inst);
            }
            if (flat.size() - before != per || !Arrays.equals(JsonTensors.shapeOf(inst), one)) {
                throw new BadInputException("instances[" + i + "]: input '" + spec.name() + "' of shape "
                        + Arrays.toString(JsonTensors.shapeOf(inst)) + " (expected: " + Arrays.toString(one)
                        + ", as instances[0])");
            }
        }
        return JsonTensors.modelTyped("instances: input '" + spec.name() + "'", spec.name(), spec.datatype(), shape, flat);
    }

    /** Columnar format: {@code {"name": value, ...}} naming every input, or the value of a model's one input. */
    private static List<Tensor> columns(ModelSignature s, JsonNode data) {
        boolean named = data.isObject() && !data.has("b64");
        if (!named && s.inputs().size() != 1) {
            throw new BadInputException("inputs: " + typeName(data) + " (expected: an object of the inputs "
                    + s.inputNames() + ")");
        }
        List<Tensor> tensors = new ArrayList<>(s.inputs().size());
        for (TensorSpec spec : s.inputs()) {
            JsonNode v = named ? namedInput(data, s, spec.name(), "inputs") : data;
            long[] shape = JsonTensors.shapeOf(v);
            long count = Tensor.elementCount(shape);
            if (count < 0) {
                throw new BadInputException("inputs: input '" + spec.name() + "' of shape " + Arrays.toString(shape)
                        + " (expected: at most " + Integer.MAX_VALUE + " values)");
            }
            List<JsonNode> flat = new ArrayList<>((int) Math.min(count, 8192));
            String where = "inputs: input '" + spec.name() + "'";
            if (v.isArray()) {
                JsonTensors.flatten(where, v, flat, count + 1);
            } else {
                flat.add(v);
            }
            if (flat.size() != count) {
                throw new BadInputException(where + ": " + flat.size() + " values (expected: " + count
                        + " for shape " + Arrays.toString(shape) + ", arrays of equal length at each depth)");
            }
            tensors.add(JsonTensors.modelTyped(where, spec.name(), spec.datatype(), shape, flat));
        }
        return tensors;
    }

    /** The value of input {@code name} in the object {@code obj}, which may name the model's inputs only. */
    private static JsonNode namedInput(JsonNode obj, ModelSignature s, String name, String where) {
        if (!obj.isObject()) {
            throw new BadInputException(where + ": " + typeName(obj) + " (expected: an object of the inputs "
                    + s.inputNames() + ")");
        }
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (s.input(f).isEmpty()) {
                throw new BadInputException(where + ": input '" + f + "' (expected: one of " + s.inputNames() + ")");
            }
        }
        JsonNode v = obj.get(name);
        if (v == null) {
            throw new BadInputException(where + ": no input '" + name + "' (expected: every input of " + s.inputNames() + ")");
        }
        return v;
    }

    /**
     * {@code POST ...:classify} and {@code ...:regress}: {@code examples} are objects keyed by input column
     * name, with {@code context} holding features shared by all of them.
     */
    CompletableFuture<HttpReply> classifyOrRegress(InferenceCall.Target t, byte[] body, boolean classify) {
        long arrived = System.nanoTime();
        JsonNode req = Json.object(body);
        checkFields(req, List.of("signature_name", "context", "examples"));
        JsonNode examples = req.get("examples");
        if (examples == null || !examples.isArray()) {
            throw new ApiException(400, "examples: " + typeName(examples) + " (expected: an array of objects)");
        }
        JsonNode context = req.path("context");
        return HttpInference.run(repo, t, arrived, sv -> {
            ModelSignature s = sv.signature();
            if (s.columns().isEmpty() || s.inputs().size() != 1) {
                throw new ApiException(400, (classify ? ":classify" : ":regress") + ": model '" + t.model()
                        + "' has no named input columns (expected: :predict)");
            }
            boolean classifier = !s.classNames().isEmpty();
            if (classify != classifier) {
                throw new ApiException(400, (classify ? ":classify" : ":regress") + ": model '" + t.model() + "' is a "
                        + (classifier ? "classifier" : "regressor") + " (expected: "
                        + (classifier ? ":classify or :predict" : ":regress or :predict") + ")");
            }
            List<JsonNode> values = new ArrayList<>();
            for (int i = 0; i < examples.size(); i++) {
                values.addAll(exampleRow(s, examples.get(i), context, i));
            }
            TensorSpec in = s.inputs().get(0);
            if (examples.isEmpty()) {
                throw new BadInputException("examples: 0 rows (expected: at least 1)");
            }
            return List.of(JsonTensors.modelTyped("examples", in.name(), in.datatype(),
                    new long[] {examples.size(), s.columns().size()}, values));
        }, (sv, out) -> {
            ObjectNode root = Json.MAPPER.createObjectNode();
            ArrayNode results = root.putArray("results");
            List<String> names = sv.signature().classNames();
            Tensor first = out.get(0);
            int rows = (int) first.dim(0);
            for (int r = 0; r < rows; r++) {
                if (classify) {
                    ArrayNode pairs = results.addArray();
                    for (int k = 0; k < names.size(); k++) {
                        pairs.addArray().add(names.get(k)).add(first.floats()[r * names.size() + k]);
                    }
                } else {
                    results.add(first.floats()[r]);
                }
            }
            return HttpReply.ok(root);
        });
    }

    private static List<JsonNode> exampleRow(ModelSignature s, JsonNode ex, JsonNode context, int i) {
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
        List<JsonNode> cells = new ArrayList<>(s.columns().size());
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
        return JsonTensors.typeName(n);
    }
}
