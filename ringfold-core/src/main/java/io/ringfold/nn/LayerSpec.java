package io.ringfold.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One layer of a network as written: its kind and every hyperparameter's value (defaults filled in), and for
 * a residual {@code add} the block it wraps. Values are checked against the kind's declarations
 * ({@link LayerKind#params()}) when the spec is made, whichever way it is written; whether they fit the
 * layer's input is checked when the network is put together ({@link Network}).
 */
public final class LayerSpec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LayerKind kind;
    private final Map<String, Object> values;
    private final List<LayerSpec> block;

    private LayerSpec(LayerKind kind, Map<String, Object> values, List<LayerSpec> block) {
        this.kind = kind;
        this.values = values;
        this.block = block;
    }

    /**
     * A layer of {@code kind} with the given values by name (others take their defaults); {@code where}
     * names it in messages ({@code layers[2]}).
     */
    public static LayerSpec of(String where, LayerKind kind, Map<String, ?> given, List<LayerSpec> block) {
        String at = where + " " + kind.id();
        for (String name : given.keySet()) {
            if (kind.params().stream().noneMatch(p -> p.name().equals(name))) {
                throw new IllegalArgumentException(at + ": parameter '" + name + "' unknown (expected: "
                        + (kind.params().isEmpty() ? "none" : String.join(", ", names(kind))) + ")");
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (LayerParam p : kind.params()) {
            Object v = given.get(p.name());
            if (v == null) {
                if (p.required()) {
                    throw new IllegalArgumentException(at + ": " + p.name() + " missing (expected: "
                            + kind.id() + "(" + String.join(",", names(kind)) + "), " + p.meaning() + ")");
                }
                // A default naming another parameter takes that parameter's value (declared before it).
                v = p.defaultValue() instanceof String other && p.type() == LayerParam.Type.INT
                        ? values.get(other) : p.defaultValue();
            }
            values.put(p.name(), p.check(at, v));
        }
        if (kind == LayerKind.ADD) {
            if (block == null || block.isEmpty()) {
                throw new IllegalArgumentException(at + ": an empty block (expected: add(layer, ...), the layers whose"
                        + " output is added to the input)");
            }
        } else if (block != null && !block.isEmpty()) {
            throw new IllegalArgumentException(at + ": a block (expected: only add takes one)");
        }
        return new LayerSpec(kind, values, block == null ? List.of() : List.copyOf(block));
    }

    /** A layer of {@code kind} with its parameters in declaration order, as the builder passes them. */
    public static LayerSpec of(LayerKind kind, Object... positional) {
        if (positional.length > kind.params().size()) {
            throw new IllegalArgumentException(kind.id() + ": " + positional.length + " values (expected: at most "
                    + kind.params().size() + ": " + String.join(", ", names(kind)) + ")");
        }
        Map<String, Object> given = new LinkedHashMap<>();
        for (int i = 0; i < positional.length; i++) {
            given.put(kind.params().get(i).name(), positional[i]);
        }
        return of("layer", kind, given, null);
    }

    /** A residual block: {@code block}'s output added to its input. */
    public static LayerSpec add(List<LayerSpec> block) {
        return of("layer", LayerKind.ADD, Map.of(), block);
    }

    private static List<String> names(LayerKind kind) {
        List<String> out = new ArrayList<>();
        for (LayerParam p : kind.params()) {
            out.add(p.name());
        }
        return out;
    }

    public LayerKind kind() {
        return kind;
    }

    /** The block of a residual {@code add}; empty for every other kind. */
    public List<LayerSpec> block() {
        return block;
    }

    public int intValue(String name) {
        return (Integer) value(name);
    }

    public float floatValue(String name) {
        return (Float) value(name);
    }

    public String word(String name) {
        return (String) value(name);
    }

    private Object value(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException(kind.id() + ": no parameter " + name);
        }
        return v;
    }

    /**
     * The command-line form: required parameters by position, the others as {@code name=value} where they
     * differ from their default: {@code conv2d(50,5)}, {@code conv2d(20,3,padding=1)}, {@code relu}.
     */
    public String format() {
        List<String> parts = new ArrayList<>();
        for (LayerParam p : kind.params()) {
            Object v = values.get(p.name());
            Object def = p.defaultValue() instanceof String other && p.type() == LayerParam.Type.INT
                    ? values.get(other) : p.defaultValue() == null ? null : p.check("", p.defaultValue());
            if (p.required()) {
                parts.add(text(v));
            } else if (!v.equals(def)) {
                parts.add(p.name() + "=" + text(v));
            }
        }
        for (LayerSpec s : block) {
            parts.add(s.format());
        }
        return parts.isEmpty() ? kind.id() : kind.id() + "(" + String.join(",", parts) + ")";
    }

    private static String text(Object v) {
        if (v instanceof Float f && f == Math.rint(f) && Math.abs(f) < 1e7) {
            return Long.toString((long) (float) f);
        }
        return String.valueOf(v);
    }

    /** {@code {"type": "conv2d", "filters": 20, "kernel": 5, "stride": 1, "padding": 0}}: every value, defaults included. */
    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", kind.id());
        for (Map.Entry<String, Object> e : values.entrySet()) {
            Object v = e.getValue();
            if (v instanceof Integer i) {
                n.put(e.getKey(), i);
            } else if (v instanceof Float f) {
                n.put(e.getKey(), f);
            } else {
                n.put(e.getKey(), (String) v);
            }
        }
        if (kind == LayerKind.ADD) {
            ArrayNode b = n.putArray("block");
            for (LayerSpec s : block) {
                b.add(s.toJson());
            }
        }
        return n;
    }

    /** The spec a JSON object describes ({@link #toJson}'s form; omitted parameters take their defaults). */
    public static LayerSpec fromJson(String where, JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(where + ": " + (n == null ? "missing" : n.getNodeType().toString()
                    .toLowerCase(java.util.Locale.ROOT)) + " (expected: an object with \"type\")");
        }
        JsonNode type = n.get("type");
        if (type == null || !type.isTextual()) {
            throw new IllegalArgumentException(where + ": type " + (type == null ? "missing" : type)
                    + " (expected: a layer name such as \"dense\")");
        }
        LayerKind kind = LayerKind.parse(where, type.textValue());
        Map<String, Object> given = new LinkedHashMap<>();
        List<LayerSpec> block = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String key = f.getKey();
            JsonNode v = f.getValue();
            if (key.equals("type")) {
                continue;
            }
            if (key.equals("block") && kind == LayerKind.ADD) {
                if (!v.isArray()) {
                    throw new IllegalArgumentException(where + " add: block " + v.getNodeType().toString()
                            .toLowerCase(java.util.Locale.ROOT) + " (expected: an array of layers)");
                }
                block = new ArrayList<>();
                for (int i = 0; i < v.size(); i++) {
                    block.add(fromJson(where + ".block[" + i + "]", v.get(i)));
                }
                continue;
            }
            if (!v.isValueNode()) {
                throw new IllegalArgumentException(where + " " + kind.id() + ": " + key + " " + v
                        + " (expected: a number or a word)");
            }
            given.put(key, v.isNumber() ? v.numberValue() : v.asText());
        }
        return of(where, kind, given, block);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayerSpec s && s.kind == kind && s.values.equals(values) && s.block.equals(block);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, values, block);
    }

    @Override
    public String toString() {
        return format();
    }
}
