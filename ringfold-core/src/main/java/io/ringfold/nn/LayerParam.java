package io.ringfold.nn;

import java.util.List;
import java.util.Locale;

/**
 * One hyperparameter of a layer kind: its name (as the JSON file, the model file and {@code name=value} in
 * {@code --layers} spell it), its type, its default (or none: required) and its valid values. Declared once per
 * kind in {@link LayerKind}; every way of writing a network (builder, JSON, command line) and the model file
 * read and check values through it, so they accept and refuse exactly the same things.
 *
 * @param name         the parameter's name
 * @param type         integer, number or one word of {@code choices}
 * @param defaultValue the value when not given, or null when the parameter is required; for an integer whose
 *                     default is another parameter's value (a pooling stride that defaults to its size), that
 *                     parameter's name
 * @param min          smallest valid value (numbers)
 * @param max          largest valid value (numbers)
 * @param maxExclusive whether {@code max} itself is invalid
 * @param choices      the valid words ({@link Type#WORD})
 * @param meaning      what it does, for help texts and docs
 */
public record LayerParam(String name, Type type, Object defaultValue, double min, double max, boolean maxExclusive,
                         List<String> choices, String meaning) {

    /** The value types of layer parameters. */
    public enum Type { INT, FLOAT, WORD }

    public LayerParam {
        choices = List.copyOf(choices);
    }

    /** A required integer of at least {@code min}. */
    static LayerParam integer(String name, int min, String meaning) {
        return new LayerParam(name, Type.INT, null, min, Integer.MAX_VALUE, false, List.of(), meaning);
    }

    /** An integer of at least {@code min} with a default: a number, or another parameter's name. */
    static LayerParam integer(String name, int min, Object defaultValue, String meaning) {
        return new LayerParam(name, Type.INT, defaultValue, min, Integer.MAX_VALUE, false, List.of(), meaning);
    }

    /** A number in {@code [min, max]} (or {@code [min, max)}) with a default. */
    static LayerParam number(String name, double min, double max, boolean maxExclusive, double defaultValue,
                             String meaning) {
        return new LayerParam(name, Type.FLOAT, defaultValue, min, max, maxExclusive, List.of(), meaning);
    }

    /** One of {@code choices}, defaulting to the first. */
    static LayerParam word(String name, List<String> choices, String meaning) {
        return new LayerParam(name, Type.WORD, choices.get(0), 0, 0, false, choices, meaning);
    }

    public boolean required() {
        return defaultValue == null;
    }

    /**
     * {@code value} as this parameter's type, checked; {@code where} names the layer for the message, e.g.
     * {@code layers[2] conv2d}.
     */
    Object check(String where, Object value) {
        switch (type) {
            case INT -> {
                long v;
                if (value instanceof Integer || value instanceof Long) {
                    v = ((Number) value).longValue();
                } else if (value instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                    v = (long) n.doubleValue();
                } else if (value instanceof String s && s.matches("[+-]?\\d{1,10}")) {
                    v = Long.parseLong(s);
                } else {
                    throw new IllegalArgumentException(where + ": " + name + " " + value + " (expected: an integer >= "
                            + (long) min + ")");
                }
                if (v < min || v > max) {
                    throw new IllegalArgumentException(where + ": " + name + " " + v + " (expected: an integer >= "
                            + (long) min + ")");
                }
                return (int) v;
            }
            case FLOAT -> {
                double v;
                if (value instanceof Number n) {
                    v = n.doubleValue();
                } else {
                    try {
                        v = Double.parseDouble(String.valueOf(value));
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException(where + ": " + name + " " + value + " (expected: a number "
                                + range() + ")");
                    }
                }
                if (!(v >= min) || v > max || maxExclusive && v == max || !Double.isFinite(v)) {
                    throw new IllegalArgumentException(where + ": " + name + " " + value + " (expected: a number "
                            + range() + ")");
                }
                return (float) v;
            }
            default -> {
                String w = String.valueOf(value).toLowerCase(Locale.ROOT);
                if (!choices.contains(w)) {
                    throw new IllegalArgumentException(where + ": " + name + " " + value + " (expected: one of "
                            + String.join(", ", choices) + ")");
                }
                return w;
            }
        }
    }

    private String range() {
        return "from " + fmt(min) + (maxExclusive ? " up to but not including " : " to ") + fmt(max);
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
