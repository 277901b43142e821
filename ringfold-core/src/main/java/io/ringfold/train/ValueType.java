package io.ringfold.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.ringfold.nn.LayerList;
import io.ringfold.nn.LayerSpec;
import io.ringfold.nn.Network;

import java.util.List;
import java.util.function.Function;

/**
 * How a {@link Hyperparameter}'s value is spelled: on the command line (and in Spark string Params), and in
 * JSON. Parsing is strict: {@code "2.5"} is not an integer, {@code "yes"} not a boolean; a failure throws an
 * {@link IllegalArgumentException} that the hyperparameter turns into a message naming itself.
 *
 * @param <T> the Java type of the values
 */
public abstract class ValueType<T> {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** What Spark Param a value of this type becomes. */
    public enum Kind { INT, LONG, FLOAT, DOUBLE, BOOLEAN, WORD, INTS, LAYERS }

    private final Kind kind;
    private final String noun;

    /** {@code noun}: what a value of this type is, for messages ("an integer"), or null where the range says it. */
    ValueType(Kind kind, String noun) {
        this.kind = kind;
        this.noun = noun;
    }

    String noun() {
        return noun;
    }

    public Kind kind() {
        return kind;
    }

    abstract T parse(String text);

    abstract T fromJson(JsonNode node);

    abstract JsonNode toJson(T value);

    abstract String format(T value);

    static final ValueType<Integer> INT = new ValueType<>(Kind.INT, "an integer") {
        Integer parse(String text) {
            return Integer.parseInt(text.trim());
        }

        Integer fromJson(JsonNode n) {
            require(n.isIntegralNumber() && n.canConvertToInt());
            return n.intValue();
        }

        JsonNode toJson(Integer v) {
            return NODES.numberNode(v);
        }

        String format(Integer v) {
            return v.toString();
        }
    };

    static final ValueType<Long> LONG = new ValueType<>(Kind.LONG, null) {
        Long parse(String text) {
            return Long.parseLong(text.trim());
        }

        Long fromJson(JsonNode n) {
            require(n.isIntegralNumber() && n.canConvertToLong());
            return n.longValue();
        }

        JsonNode toJson(Long v) {
            return NODES.numberNode(v);
        }

        String format(Long v) {
            return v.toString();
        }
    };

    /** float32 values, written with the fewest digits that read back as the same float. */
    static final ValueType<Float> FLOAT = new ValueType<>(Kind.FLOAT, "a number") {
        Float parse(String text) {
            return (float) finite(Double.parseDouble(text.trim()));
        }

        Float fromJson(JsonNode n) {
            require(n.isNumber());
            return (float) finite(n.doubleValue());
        }

        JsonNode toJson(Float v) {
            return NODES.numberNode(v);
        }

        String format(Float v) {
            return v.toString();
        }
    };

    static final ValueType<Double> DOUBLE = new ValueType<>(Kind.DOUBLE, "a number") {
        Double parse(String text) {
            return finite(Double.parseDouble(text.trim()));
        }

        Double fromJson(JsonNode n) {
            require(n.isNumber());
            return finite(n.doubleValue());
        }

        JsonNode toJson(Double v) {
            return NODES.numberNode(v);
        }

        String format(Double v) {
            return v.toString();
        }
    };

    static final ValueType<Boolean> BOOLEAN = new ValueType<>(Kind.BOOLEAN, null) {
        Boolean parse(String text) {
            return switch (text.trim()) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException();
            };
        }

        Boolean fromJson(JsonNode n) {
            require(n.isBoolean());
            return n.booleanValue();
        }

        JsonNode toJson(Boolean v) {
            return NODES.booleanNode(v);
        }

        String format(Boolean v) {
            return v.toString();
        }
    };

    /** Widths, {@code 128,64} on the command line, an array in JSON. */
    static final ValueType<int[]> INTS = new ValueType<>(Kind.INTS, "integers separated by commas") {
        int[] parse(String text) {
            String t = text.trim();
            if (t.isEmpty()) {
                return new int[0];
            }
            String[] parts = t.split(",", -1);
            int[] out = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = Integer.parseInt(parts[i].trim());
            }
            return out;
        }

        int[] fromJson(JsonNode n) {
            require(n.isArray());
            int[] out = new int[n.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = INT.fromJson(n.get(i));
            }
            return out;
        }

        JsonNode toJson(int[] v) {
            ArrayNode a = NODES.arrayNode();
            for (int x : v) {
                a.add(x);
            }
            return a;
        }

        String format(int[] v) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < v.length; i++) {
                b.append(i == 0 ? "" : ",").append(v[i]);
            }
            return b.toString();
        }
    };

    /** An example's shape: {@code 1x28x28} (or {@code 1,28,28}) on the command line, an array in JSON. */
    static final ValueType<int[]> SHAPE = new ValueType<>(Kind.INTS, "integers separated by x") {
        int[] parse(String text) {
            return INTS.parse(text.replace('x', ','));
        }

        int[] fromJson(JsonNode n) {
            return INTS.fromJson(n);
        }

        JsonNode toJson(int[] v) {
            return INTS.toJson(v);
        }

        String format(int[] v) {
            return INTS.format(v).replace(',', 'x');
        }
    };

    /** Hidden layers: the {@code --layers} form on the command line, an array of layer objects in JSON. */
    static final ValueType<List<LayerSpec>> LAYERS = new ValueType<>(Kind.LAYERS, null) {
        List<LayerSpec> parse(String text) {
            return text.isBlank() ? List.of() : LayerList.parse(text);
        }

        List<LayerSpec> fromJson(JsonNode n) {
            return Network.layersFromJson(n);
        }

        JsonNode toJson(List<LayerSpec> v) {
            ArrayNode a = NODES.arrayNode();
            v.forEach(spec -> a.add(spec.toJson()));
            return a;
        }

        String format(List<LayerSpec> v) {
            return LayerList.format(v);
        }
    };

    /** One of an enumeration's words, by {@code id}; {@code parse} throws for any other. */
    static <E> ValueType<E> word(Function<String, E> parse, Function<E, String> id) {
        return new ValueType<>(Kind.WORD, null) {
            E parse(String text) {
                return parse.apply(text.trim());
            }

            E fromJson(JsonNode n) {
                require(n.isTextual());
                return parse.apply(n.textValue());
            }

            JsonNode toJson(E v) {
                return v == null ? NODES.nullNode() : NODES.textNode(id.apply(v));
            }

            String format(E v) {
                return id.apply(v);
            }
        };
    }

    private static void require(boolean ok) {
        if (!ok) {
            throw new IllegalArgumentException();
        }
    }

    private static double finite(double v) {
        require(Double.isFinite(v));
        return v;
    }
}
