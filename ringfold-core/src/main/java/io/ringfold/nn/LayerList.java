package io.ringfold.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command-line form of a network's hidden layers ({@code --layers}): layers separated by commas, each
 * {@code name} or {@code name(args)}, arguments by position or as {@code name=value}, and a residual block
 * as {@code add(layer, ...)}:
 * {@code conv2d(20,5),relu,maxpool2d(2),flatten,dense(500),relu}, {@code embeddingbag(64,mode=sum)},
 * {@code dense(64),relu,add(dense(64),relu,dense(64))}. Errors name the layer's position ({@code layers[3]})
 * and the text around the problem.
 */
public final class LayerList {

    private final String text;
    private int pos;

    private LayerList(String text) {
        this.text = text;
    }

    /** The layers {@code text} lists, in order. */
    public static List<LayerSpec> parse(String text) {
        LayerList p = new LayerList(text);
        List<LayerSpec> layers = p.items("layers");
        p.skipSpace();
        if (p.pos != text.length()) {
            throw p.error("layers[" + layers.size() + "]", "unexpected '" + text.charAt(p.pos) + "'",
                    "',' between layers");
        }
        return layers;
    }

    /** The command-line form of {@code layers}: what {@link #parse} reads back to the same specs. */
    public static String format(List<LayerSpec> layers) {
        List<String> parts = new ArrayList<>();
        for (LayerSpec s : layers) {
            parts.add(s.format());
        }
        return String.join(",", parts);
    }

    private List<LayerSpec> items(String prefix) {
        List<LayerSpec> out = new ArrayList<>();
        do {
            out.add(item(prefix + "[" + out.size() + "]"));
            skipSpace();
        } while (take(','));
        return out;
    }

    private LayerSpec item(String where) {
        skipSpace();
        String name = word();
        if (name.isEmpty()) {
            throw error(where, pos < text.length() ? "'" + text.charAt(pos) + "'" : "end of text",
                    "a layer name such as dense(128) or relu");
        }
        LayerKind kind = LayerKind.parse(where, name);
        skipSpace();
        if (!take('(')) {
            return LayerSpec.of(where, kind, Map.of(), null);
        }
        if (kind == LayerKind.ADD) {
            List<LayerSpec> block = items(where + ".block");
            expectClose(where);
            return LayerSpec.of(where, kind, Map.of(), block);
        }
        Map<String, Object> given = new LinkedHashMap<>();
        int index = 0;
        skipSpace();
        if (!take(')')) {
            do {
                skipSpace();
                String token = value();
                skipSpace();
                String key;
                String value;
                if (take('=')) {
                    skipSpace();
                    key = token;
                    value = value();
                } else {
                    if (index >= kind.params().size()) {
                        throw new IllegalArgumentException(where + " " + kind.id() + ": " + (index + 1) + " values"
                                + " (expected: at most " + kind.params().size() + ")");
                    }
                    key = kind.params().get(index).name();
                    value = token;
                    index++;
                }
                if (value.isEmpty()) {
                    throw error(where + " " + kind.id(), "an empty value", "a number or a word");
                }
                if (given.put(key, value) != null) {
                    throw new IllegalArgumentException(where + " " + kind.id() + ": " + key + " given twice");
                }
                skipSpace();
            } while (take(','));
            expectClose(where);
        }
        return LayerSpec.of(where, kind, given, null);
    }

    private void expectClose(String where) {
        skipSpace();
        if (!take(')')) {
            throw error(where, pos < text.length() ? "'" + text.charAt(pos) + "'" : "end of text", "')'");
        }
    }

    private String word() {
        int start = pos;
        while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private String value() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || "._-+".indexOf(text.charAt(pos)) >= 0)) {
            pos++;
        }
        return text.substring(start, pos);
    }

    private boolean take(char c) {
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException error(String where, String found, String expected) {
        return new IllegalArgumentException(where + ": " + found + " at character " + (pos + 1) + " of '" + text
                + "' (expected: " + expected + ")");
    }
}
