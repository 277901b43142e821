package io.ringfold.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The masks of a data set's sensitive columns, written {@code email=hmac,age=bucket(10),name=drop}: which
 * {@link ColumnMask} each named column gets, and, when one is {@code hmac}, the fingerprint of the
 * {@link MaskKey} its pseudonyms are made with. Immutable. The masks travel with the model's preprocessing
 * (without the key); the key is bound with {@link #withKey} where cells are masked: at training from
 * {@code --mask-key-file}, at serving from the server's.
 *
 * <p>Messages about a masked cell name its column and mask, never its value.
 */
public final class ColumnMasks {

    /** No column masked. */
    public static final ColumnMasks NONE = new ColumnMasks(Map.of(), null, null);

    private final Map<String, ColumnMask> masks; // column to mask, as declared
    private final String keyFingerprint; // null without an hmac column, or before a key is bound at training
    private final MaskKey key; // null: not bound

    private ColumnMasks(Map<String, ColumnMask> masks, String keyFingerprint, MaskKey key) {
        this.masks = Collections.unmodifiableMap(new LinkedHashMap<>(masks));
        this.keyFingerprint = keyFingerprint;
        this.key = key;
    }

    /**
     * The masks {@code spec} writes: {@code COLUMN=MASK} pairs separated by commas, each column once.
     *
     * @throws IllegalArgumentException naming the pair and what was expected
     */
    public static ColumnMasks parse(String spec) {
        Map<String, ColumnMask> out = new LinkedHashMap<>();
        for (String pair : split(spec)) {
            int eq = pair.indexOf('=');
            String column = eq < 0 ? "" : pair.substring(0, eq).strip();
            if (eq < 0 || column.isEmpty()) {
                throw new IllegalArgumentException("'" + pair.strip() + "' (expected: COLUMN=MASK, MASK one of "
                        + ColumnMask.FORMS + ")");
            }
            ColumnMask m;
            try {
                m = ColumnMask.parse(pair.substring(eq + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("column '" + column + "': " + e.getMessage(), e);
            }
            if (out.put(column, m) != null) {
                throw new IllegalArgumentException("column '" + column + "' masked twice (expected: one mask per column)");
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no column (expected: COLUMN=MASK[,COLUMN=MASK...], e.g. "
                    + "email=hmac,age=bucket(10),name=drop)");
        }
        return new ColumnMasks(out, null, null);
    }

    /** The comma-separated pairs of a spec; commas inside parentheses belong to the mask. */
    private static List<String> split(String spec) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < spec.length(); i++) {
            char c = spec.charAt(i);
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ',' && depth == 0) {
                parts.add(spec.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(spec.substring(start));
        parts.removeIf(p -> p.isBlank());
        return parts;
    }

    /**
     * These masks with {@code key} bound for the {@code hmac} columns. Masks read from a model carry the
     * fingerprint of their key, and another key is refused; masks without an {@code hmac} column ignore the key.
     *
     * @throws IllegalArgumentException for a key whose fingerprint is not the masks' own
     */
    public ColumnMasks withKey(MaskKey key) {
        Objects.requireNonNull(key, "key");
        if (!needsKey()) {
            return this;
        }
        if (keyFingerprint != null && !keyFingerprint.equals(key.fingerprint())) {
            throw new IllegalArgumentException("mask key: fingerprint " + key.fingerprint() + " (expected: "
                    + keyFingerprint + ", the key the hmac columns " + hmacColumns() + " were made with)");
        }
        return new ColumnMasks(masks, key.fingerprint(), key);
    }

    public boolean isEmpty() {
        return masks.isEmpty();
    }

    /** Whether some column is {@code hmac}, which needs the key. */
    public boolean needsKey() {
        return !hmacColumns().isEmpty();
    }

    /** Whether the key is bound (or not needed): cells can be masked. */
    public boolean ready() {
        return !needsKey() || key != null;
    }

    /** The {@code hmac} columns, in order. */
    public List<String> hmacColumns() {
        List<String> out = new ArrayList<>();
        masks.forEach((c, m) -> {
            if (m instanceof ColumnMask.Hmac) {
                out.add(c);
            }
        });
        return out;
    }

    /** Column to mask, in the order declared. */
    public Map<String, ColumnMask> columns() {
        return masks;
    }

    /** The mask of {@code column}, if it has one. */
    public Optional<ColumnMask> of(String column) {
        return Optional.ofNullable(masks.get(column));
    }

    /** The columns whose mask is {@code drop}, in order. */
    public List<String> droppedColumns() {
        List<String> out = new ArrayList<>();
        masks.forEach((c, m) -> {
            if (m.output() == ColumnMask.Output.NONE) {
                out.add(c);
            }
        });
        return out;
    }

    /** The key's fingerprint; empty without an hmac column or before a key is bound. */
    public Optional<String> keyFingerprint() {
        return Optional.ofNullable(keyFingerprint);
    }

    /** The spec these masks parse from: {@code email=hmac,age=bucket(10)}. */
    public String spec() {
        StringBuilder b = new StringBuilder();
        masks.forEach((c, m) -> b.append(b.length() == 0 ? "" : ",").append(c).append('=').append(m.id()));
        return b.toString();
    }

    /**
     * The category a raw {@code cell} of {@code column} (masked {@code redact}, {@code hmac} or {@code date})
     * becomes: {@code ""} (the missing category) for a missing cell, else the mask's output.
     *
     * @throws IllegalArgumentException naming the column, not the value, for a cell the mask cannot read
     * @throws IllegalStateException    for an hmac column before a key is bound
     */
    public String maskCategory(String column, String cell) {
        ColumnMask m = masks.get(column);
        String t = cell == null ? "" : cell.strip();
        if (NumberCells.isMissing(t)) {
            return "";
        }
        if (m instanceof ColumnMask.Redact) {
            return ColumnMask.REDACTED;
        }
        if (m instanceof ColumnMask.Hmac) {
            if (key == null) {
                throw new IllegalStateException("column '" + column + "' is masked with hmac and no key is loaded"
                        + " (expected: --mask-key-file FILE)");
            }
            byte[] name = column.getBytes(StandardCharsets.UTF_8);
            byte[] value = t.getBytes(StandardCharsets.UTF_8);
            // The column's name, a zero byte, the value: a pseudonym is tied to its column.
            byte[] message = new byte[name.length + 1 + value.length];
            System.arraycopy(name, 0, message, 0, name.length);
            System.arraycopy(value, 0, message, name.length + 1, value.length);
            return java.util.HexFormat.of().formatHex(key.hmac(message));
        }
        if (m instanceof ColumnMask.DateTruncation d) {
            String out = d.apply(t);
            if (out == null) {
                throw withheld(column, m, "not an ISO date", "YYYY-MM-DD, or a date-time starting with one");
            }
            return out;
        }
        throw new IllegalArgumentException("column '" + column + "': mask " + (m == null ? "none" : m.id())
                + " (expected: redact, hmac or date, which give categories)");
    }

    /**
     * The number a raw {@code cell} of {@code column} (masked {@code bucket}) becomes: NaN for a missing cell.
     *
     * @throws IllegalArgumentException naming the column, not the value, for a cell that is not a number
     */
    public float maskNumber(String column, String cell) {
        ColumnMask.Bucket b = (ColumnMask.Bucket) masks.get(column);
        String t = cell == null ? "" : cell.strip();
        if (NumberCells.isMissing(t)) {
            return Float.NaN;
        }
        float v = NumberCells.parseOrNaN(t);
        if (Float.isNaN(v)) {
            throw withheld(column, b, "not a finite number", "a finite number in plain decimal notation");
        }
        return b.apply(v);
    }

    private static IllegalArgumentException withheld(String column, ColumnMask m, String problem, String expected) {
        return new IllegalArgumentException("column '" + column + "' (masked " + m.id() + "): " + problem
                + ", value withheld (expected: " + expected + ")");
    }

    /** {@code {"columns": {"email": "hmac", ...}, "keyFingerprint": "..."}}, the fingerprint only with hmac. */
    JsonNode toJson() {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ObjectNode cols = root.putObject("columns");
        masks.forEach((c, m) -> cols.put(c, m.id()));
        if (keyFingerprint != null) {
            root.put("keyFingerprint", keyFingerprint);
        }
        return root;
    }

    /** @throws IllegalArgumentException for anything {@link #toJson} would not write */
    static ColumnMasks fromJson(JsonNode node) {
        JsonNode cols = node.path("columns");
        if (!node.isObject() || !cols.isObject() || cols.isEmpty()) {
            throw new IllegalArgumentException("masks " + node + " (expected: {\"columns\": {COLUMN: MASK, ...}})");
        }
        Map<String, ColumnMask> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : cols.properties()) {
            if (!e.getValue().isTextual()) {
                throw new IllegalArgumentException("masks.columns." + e.getKey() + " " + e.getValue()
                        + " (expected: a mask, " + ColumnMask.FORMS + ")");
            }
            try {
                out.put(e.getKey(), ColumnMask.parse(e.getValue().textValue()));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException("masks.columns." + e.getKey() + ": " + x.getMessage(), x);
            }
        }
        JsonNode fp = node.path("keyFingerprint");
        ColumnMasks masks = new ColumnMasks(out, fp.isTextual() ? fp.textValue() : null, null);
        if (masks.needsKey() != fp.isTextual() || fp.isTextual() && !fp.textValue().matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("masks.keyFingerprint " + fp + " (expected: 32 hex digits exactly when"
                    + " a column is hmac)");
        }
        return masks;
    }

    /** Equal masks and key fingerprint; the key itself is not compared. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnMasks m && m.masks.equals(masks) && Objects.equals(m.keyFingerprint, keyFingerprint);
    }

    @Override
    public int hashCode() {
        return masks.hashCode() * 31 + Objects.hashCode(keyFingerprint);
    }

    @Override
    public String toString() {
        return isEmpty() ? "no masks" : spec();
    }
}
