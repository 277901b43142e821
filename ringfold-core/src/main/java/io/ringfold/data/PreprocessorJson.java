package io.ringfold.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a {@link Preprocessor}, version 1:
 * <pre>{@code
 * {"format": "ringfold-preprocessor", "version": 1,
 *  "inputColumns": ["age", "color", ...],
 *  "categorical": {"color": ["blue", "red"]},
 *  "shift": "<base64 of little-endian float32, one per input column>",
 *  "scale": "<same>"}
 * }</pre>
 * Version 2 adds the text column, its tokeniser and its vocabulary (token id {@code i + 1} is
 * {@code vocabulary[i]}; id 0 stands for unknown tokens):
 * <pre>{@code
 *  "text": {"column": "body", "tokenizer": "lowercase-alphanumeric", "ngrams": 2,
 *           "vocabulary": ["the", "to", ...]}
 * }</pre>
 * Version 3 adds the imputation values (one float32 per input column, NaN where the column has none),
 * the input columns dropped as constant, and what an unseen category becomes:
 * <pre>{@code
 *  "impute": {"strategy": "mean", "values": "<base64 of little-endian float32>"},
 *  "dropped": ["country"],
 *  "unseenCategories": "zero"
 * }</pre>
 * Version 4 adds the masks of sensitive columns ({@link ColumnMasks}; the key's fingerprint only when a column is
 * {@code hmac}; never the key), and is written only for a preprocessor with masks:
 * <pre>{@code
 *  "masks": {"columns": {"email": "hmac", "age": "bucket(10)", "name": "drop"},
 *            "keyFingerprint": "<32 hex digits>"}
 * }</pre>
 * A preprocessor is written in the lowest version that holds it: version 1 without a text column,
 * imputation, dropped columns or unseen categories mapped to zeros, so that such files stay as they were.
 * All four versions are read; a file of version 1 or 2 has no imputation values, drops no column and
 * refuses unseen categories, as those versions behaved (and so does a version 3 file without the keys).
 * Floats are stored as their bits, not decimal numbers: a decimal written from a float and parsed back
 * through a double can round to a neighbouring float, and a model must see the very same inputs.
 */
final class PreprocessorJson {

    static final String FORMAT = "ringfold-preprocessor";
    static final int VERSION = 4;
    /** The version written for a preprocessor without masks but with something of version 3. */
    static final int VERSION_IMPUTE = 3;
    /** The version written for a preprocessor with a text column and nothing of version 3. */
    static final int VERSION_TEXT = 2;
    /** The version written for a preprocessor with nothing of versions 2 and 3. */
    static final int VERSION_WITHOUT_TEXT = 1;

    private PreprocessorJson() {
    }

    static ObjectNode write(Preprocessor p) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("format", FORMAT);
        boolean v3 = p.imputeStrategy().isPresent() || !p.droppedColumns().isEmpty()
                || p.unseenCategories() != UnseenCategories.ERROR;
        boolean v4 = !p.masks().isEmpty();
        v3 |= v4;
        root.put("version", v4 ? VERSION : v3 ? VERSION_IMPUTE : p.text().isPresent() ? VERSION_TEXT
                : VERSION_WITHOUT_TEXT);
        ArrayNode cols = root.putArray("inputColumns");
        p.inputColumns().forEach(cols::add);
        ObjectNode cat = root.putObject("categorical");
        for (Map.Entry<String, List<String>> e : p.vocabularies().entrySet()) {
            ArrayNode a = cat.putArray(e.getKey());
            e.getValue().forEach(a::add);
        }
        root.put("shift", encode(p.shift()));
        root.put("scale", encode(p.scale()));
        p.text().ifPresent(t -> {
            ObjectNode text = root.putObject("text");
            text.put("column", t.column());
            text.put("tokenizer", Tokenizer.NAME);
            text.put("ngrams", t.vocabulary().ngrams());
            ArrayNode tokens = text.putArray("vocabulary");
            t.vocabulary().tokens().forEach(tokens::add);
        });
        if (v3) {
            p.imputeStrategy().ifPresent(strategy -> root.putObject("impute").put("strategy", strategy.id())
                    .put("values", encode(p.imputedValues())));
            ArrayNode dropped = root.putArray("dropped");
            p.droppedColumns().forEach(dropped::add);
            root.put("unseenCategories", p.unseenCategories().id());
        }
        if (v4) {
            root.set("masks", p.masks().toJson());
        }
        return root;
    }

    static Preprocessor read(JsonNode node) {
        if (node == null || !node.isObject()) {
            throw bad("not a JSON object", "an object with format '" + FORMAT + "'");
        }
        if (!FORMAT.equals(node.path("format").asText(null))) {
            throw bad("format " + node.path("format"), "'" + FORMAT + "'");
        }
        JsonNode version = node.path("version");
        if (!version.isInt() || version.intValue() < 1 || version.intValue() > VERSION) {
            throw bad("version " + version, "1 to " + VERSION + " (this library reads versions up to " + VERSION + ")");
        }
        List<String> columns = strings(node.path("inputColumns"), "inputColumns");
        Map<String, List<String>> vocab = new LinkedHashMap<>();
        JsonNode cat = node.path("categorical");
        if (!cat.isObject()) {
            throw bad("categorical " + cat, "an object of column name to category list");
        }
        for (Map.Entry<String, JsonNode> e : cat.properties()) {
            vocab.put(e.getKey(), strings(e.getValue(), "categorical." + e.getKey()));
        }
        float[] shift = decode(node.path("shift"), "shift", columns.size());
        float[] scale = decode(node.path("scale"), "scale", columns.size());
        Preprocessor.Imputation imputation = Preprocessor.Imputation.none(columns.size());
        List<String> dropped = List.of();
        UnseenCategories unseen = UnseenCategories.ERROR;
        if (version.intValue() >= 3) {
            JsonNode impute = node.path("impute");
            if (!impute.isMissingNode()) {
                JsonNode strategy = impute.path("strategy");
                if (!strategy.isTextual()) {
                    throw bad("impute.strategy " + strategy, "mean, median or most-frequent");
                }
                imputation = new Preprocessor.Imputation(ImputeStrategy.parse(strategy.textValue()),
                        decode(impute.path("values"), "impute.values", columns.size()));
            }
            if (!node.path("dropped").isMissingNode()) {
                dropped = strings(node.path("dropped"), "dropped");
            }
            JsonNode u = node.path("unseenCategories");
            if (!u.isMissingNode() && !u.isTextual()) {
                throw bad("unseenCategories " + u, "zero or error");
            }
            unseen = u.isMissingNode() ? UnseenCategories.ERROR : UnseenCategories.parse(u.textValue());
        }
        ColumnMasks masks = ColumnMasks.NONE;
        if (!node.path("masks").isMissingNode()) {
            if (version.intValue() < 4) {
                throw bad("masks in version " + version, "masks in version 4 or later");
            }
            masks = ColumnMasks.fromJson(node.path("masks"));
        }
        JsonNode text = node.path("text");
        if (text.isMissingNode()) {
            return new Preprocessor(columns, vocab, shift, scale, null, null, imputation, dropped, unseen, masks);
        }
        if (version.intValue() < 2 || !text.isObject()) {
            throw bad("text " + abbreviate(text) + " in version " + version, "an object, in version 2 or later");
        }
        JsonNode column = text.path("column");
        JsonNode ngrams = text.path("ngrams");
        if (!column.isTextual() || !Tokenizer.NAME.equals(text.path("tokenizer").asText(null)) || !ngrams.isInt()) {
            throw bad("text.column " + column + ", text.tokenizer " + text.path("tokenizer") + ", text.ngrams "
                    + ngrams, "a column name, '" + Tokenizer.NAME + "' and 1 or 2");
        }
        Vocabulary vocabulary = new Vocabulary(strings(text.path("vocabulary"), "text.vocabulary"), ngrams.intValue());
        return new Preprocessor(columns, vocab, shift, scale, column.textValue(), vocabulary, imputation, dropped,
                unseen, masks);
    }

    private static String abbreviate(JsonNode n) {
        String s = n.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static List<String> strings(JsonNode array, String what) {
        if (!array.isArray()) {
            throw bad(what + " " + array, "an array of strings");
        }
        List<String> out = new ArrayList<>(array.size());
        for (JsonNode e : array) {
            if (!e.isTextual()) {
                throw bad(what + " element " + e, "a string");
            }
            out.add(e.textValue());
        }
        return out;
    }

    static String encode(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    static float[] decode(JsonNode text, String what, int expected) {
        if (!text.isTextual()) {
            throw bad(what + " " + text, "a base64 string of little-endian float32");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(text.textValue());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("preprocessor JSON: " + what + " is not base64 (" + e.getMessage() + ")", e);
        }
        if (bytes.length != 4 * expected) {
            throw bad(what + " of " + bytes.length + " bytes", 4 * expected + " bytes, one float32 per input column");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[expected];
        for (int i = 0; i < expected; i++) {
            out[i] = b.getFloat();
        }
        return out;
    }

    private static IllegalArgumentException bad(String problem, String expected) {
        return new IllegalArgumentException("preprocessor JSON: " + problem + " (expected: " + expected + ")");
    }
}
