package io.ringfold.serving.backend.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxModelMetadata;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.TensorSpec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a loaded ONNX graph declares: its signature (real tensor names, datatypes, shapes with -1 for each
 * symbolic or unknown dimension), its metadata, and whether requests can be batched along the first dimension.
 *
 * @param signature    the tensor inputs and outputs, in the graph's order
 * @param metadata     the graph's metadata: producer, graph name and description, domain, description, version,
 *                     and its custom entries as {@code custom.KEY}; absent and empty values left out
 * @param unbatchable  why requests cannot share a run (an input or output whose first dimension is fixed), or null
 * @param leftOut      outputs that are not tensors (sequences, maps), not served
 */
record OnnxGraph(ModelSignature signature, Map<String, String> metadata, String unbatchable, List<String> leftOut) {

    /** ONNX Runtime reports an unset model version as Long.MAX_VALUE. */
    private static final long NO_VERSION = Long.MAX_VALUE;

    OnnxGraph {
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        leftOut = List.copyOf(leftOut);
    }

    /**
     * The graph of {@code session}.
     *
     * @throws IllegalArgumentException naming the tensor, for an input that is not a tensor or a datatype the
     *                                  Java API cannot pass, or a graph without tensor outputs
     */
    static OnnxGraph of(OrtSession session) throws OrtException {
        List<TensorSpec> inputs = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
            if (!(e.getValue().getInfo() instanceof TensorInfo info)) {
                throw new IllegalArgumentException("input '" + e.getKey() + "': " + e.getValue().getInfo()
                        + " (expected: a tensor)");
            }
            inputs.add(spec("input", e.getKey(), info));
        }
        List<TensorSpec> outputs = new ArrayList<>();
        List<String> leftOut = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> e : session.getOutputInfo().entrySet()) {
            if (e.getValue().getInfo() instanceof TensorInfo info) {
                outputs.add(spec("output", e.getKey(), info));
            } else {
                leftOut.add(e.getKey());
            }
        }
        if (outputs.isEmpty()) {
            throw new IllegalArgumentException("outputs: none is a tensor (expected: at least one tensor output; "
                    + leftOut + " are sequences or maps)");
        }
        ModelSignature signature = new ModelSignature(OnnxServable.PLATFORM, inputs, outputs, List.of(), List.of());
        return new OnnxGraph(signature, metadata(session.getMetadata()), unbatchable(inputs, outputs), leftOut);
    }

    private static TensorSpec spec(String kind, String name, TensorInfo info) {
        DataType type = OnnxTypes.datatype(info);
        if (type == null) {
            throw new IllegalArgumentException(kind + " '" + name + "': ONNX type " + info.onnxType
                    + " (expected: one of " + OnnxTypes.SUPPORTED + ", the types ONNX Runtime's Java API passes)");
        }
        long[] shape = info.getShape();
        for (int i = 0; i < shape.length; i++) {
            shape[i] = Math.max(-1, shape[i]);
        }
        return new TensorSpec(name, type, shape);
    }

    private static String unbatchable(List<TensorSpec> inputs, List<TensorSpec> outputs) {
        if (inputs.isEmpty()) {
            return "no inputs";
        }
        for (TensorSpec s : inputs) {
            if (!s.batched()) {
                return "input '" + s.name() + "' has shape " + s.shapeText() + ", no dynamic first dimension";
            }
        }
        for (TensorSpec s : outputs) {
            if (!s.batched()) {
                return "output '" + s.name() + "' has shape " + s.shapeText() + ", no dynamic first dimension";
            }
        }
        return null;
    }

    private static Map<String, String> metadata(OnnxModelMetadata m) throws OrtException {
        Map<String, String> out = new LinkedHashMap<>();
        put(out, "producer", m.getProducerName());
        put(out, "graph_name", m.getGraphName());
        put(out, "graph_description", m.getGraphDescription());
        put(out, "domain", m.getDomain());
        put(out, "description", m.getDescription());
        if (m.getVersion() != NO_VERSION) {
            out.put("version", Long.toString(m.getVersion()));
        }
        for (Map.Entry<String, String> e : new TreeMap<>(m.getCustomMetadata()).entrySet()) {
            put(out, "custom." + e.getKey(), e.getValue());
        }
        return out;
    }

    private static void put(Map<String, String> out, String key, String value) {
        if (value != null && !value.isEmpty()) {
            out.put(key, value);
        }
    }
}
