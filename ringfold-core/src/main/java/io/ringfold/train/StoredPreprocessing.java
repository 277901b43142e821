package io.ringfold.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.ColumnMasks;
import io.ringfold.data.DataSpec.LoadedData;
import io.ringfold.data.Preprocessor;
import io.ringfold.data.Schema;
import io.ringfold.model.Provenance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A preprocessing fitted on its own ({@code ringfold preprocess}) and stored for training runs to use
 * ({@code train --preprocessing DIR}): the {@link Preprocessor}, the class names and label of the data it was
 * fitted on (so that data read against it get the same codes), the options it was fitted with, and its
 * provenance. It is fitted on the very rows a run with the same seed and splits trains on
 * ({@link TrainingRun#split}), so such a run gives the same model as one that fits the preprocessing itself.
 *
 * <p>The file, {@value #FILE_NAME} in its directory, is JSON:
 * <pre>{@code
 * {"format": "ringfold-preprocessing", "version": 1,
 *  "preprocessor": {... the model file's "preprocessor" ...},
 *  "sha256": "<hex SHA-256 of the preprocessor's compact JSON, UTF-8>",
 *  "labelName": "price", "classNames": [],
 *  "options": {"standardize": true, "impute": "mean", "unseenCategories": "zero", "mask": "email=hmac",
 *              "vocabularySize": 20000, "ngrams": 1},
 *  "provenance": {"data": "csv:houses.csv?label=price", "dataDescription": "...", "rows": 1000,
 *                 "trainRows": 800, "seed": 42, "testSplit": 0.2, "validationSplit": 0.0,
 *                 "dataFingerprint": "<SHA-256 of the training rows>", "created": "2026-...Z",
 *                 "ringfoldVersion": "..."}}
 * }</pre>
 * {@code mask} is absent without masks, {@code vocabularySize} and {@code ngrams} without a text column; a mask key is never stored, only its fingerprint in the preprocessor.
 * A reader refuses another format, an unknown version, and a preprocessor whose hash is not {@code sha256}.
 */
public record StoredPreprocessing(Preprocessor preprocessor, String labelName, List<String> classNames,
                                  ObjectNode options, ObjectNode provenance) {

    public static final String FILE_NAME = "preprocessing.json";
    public static final String FORMAT = "ringfold-preprocessing";
    public static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The hyperparameters the preprocessing is fitted with, stored under their names in {@code options}. */
    public static final List<Hyperparameter<?>> OPTIONS = List.of(Hyperparameters.STANDARDIZE, Hyperparameters.IMPUTE,
            Hyperparameters.UNSEEN_CATEGORIES);

    /** The hyperparameters that choose the rows it is fitted on, as a training run splits them. */
    public static final List<Hyperparameter<?>> SPLITS = List.of(Hyperparameters.SEED, Hyperparameters.TEST_SPLIT,
            Hyperparameters.VALIDATION_SPLIT);

    public StoredPreprocessing {
        Objects.requireNonNull(preprocessor, "preprocessor");
        Objects.requireNonNull(labelName, "labelName");
        classNames = List.copyOf(classNames);
        options = options.deepCopy();
        provenance = provenance.deepCopy();
    }

    /**
     * The preprocessing a {@link TrainingRun} under {@code config} would fit on {@code data} (read with
     * {@code masks}, their key bound), with its provenance.
     *
     * @param dataSpec the data spec as given, for the provenance
     */
    public static StoredPreprocessing fit(LoadedData data, String dataSpec, String dataDescription, TrainingConfig config,
                                          ColumnMasks masks) {
        TrainingRun.Parts parts = TrainingRun.split(data, config);
        Preprocessor p = new Preprocessing.Fit(masks).preprocessor(parts.train(), config);
        ObjectNode options = JSON.createObjectNode();
        for (Hyperparameter<?> h : OPTIONS) {
            options.set(h.name(), json(h, config));
        }
        if (!masks.isEmpty()) {
            options.put("mask", masks.spec());
        }
        parts.all().schema().textColumns().values().forEach(t -> {
            options.put("vocabularySize", t.vocabularySize());
            options.put("ngrams", t.ngrams());
        });
        ObjectNode prov = JSON.createObjectNode();
        prov.put("data", dataSpec);
        prov.put("dataDescription", dataDescription);
        prov.put("rows", parts.all().size());
        prov.put("trainRows", parts.train().size());
        prov.put("seed", config.seed());
        prov.put("testSplit", data.test().isPresent() ? 0.0 : config.testSplit());
        prov.put("validationSplit", config.validationSplit());
        prov.put("dataFingerprint", parts.train().fingerprint());
        prov.put("created", java.time.Instant.now().toString());
        prov.put("ringfoldVersion", Provenance.libraryVersion());
        Schema schema = parts.all().schema();
        return new StoredPreprocessing(p, schema.labelName(), schema.classNames(), options, prov);
    }

    /** The schema of the raw data it takes: what training data is read against, so categories keep their codes. */
    public Schema inputSchema() {
        Schema s = preprocessor.inputSchema(classNames);
        return new Schema(s.featureNames(), s.classNames(), s.categoricalVocabularies(), labelName, s.textColumns());
    }

    /** Hex SHA-256 of the preprocessor's compact JSON in UTF-8: identifies the preprocessing's content. */
    public String contentHash() {
        return sha256(preprocessor.toJson().toString());
    }

    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.set("preprocessor", preprocessor.toJson());
        root.put("sha256", contentHash());
        root.put("labelName", labelName);
        ArrayNode names = root.putArray("classNames");
        classNames.forEach(names::add);
        root.set("options", options);
        root.set("provenance", provenance);
        return root;
    }

    /** Writes {@value #FILE_NAME} into {@code dir} (created), replacing it atomically; returns the file. */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE_NAME);
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(toJson()) + "\n",
                StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    /**
     * Reads {@value #FILE_NAME} from {@code path} (its directory, or the file).
     *
     * @throws IllegalArgumentException naming the file and the problem in one line
     */
    public static StoredPreprocessing read(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new IllegalArgumentException(file + ": no such file (expected: a directory written by ringfold"
                    + " preprocess --out DIR)");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not readable JSON ("
                    + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        try {
            return fromJson(root);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    static StoredPreprocessing fromJson(JsonNode root) {
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText(null))) {
            throw new IllegalArgumentException("format " + (root == null ? "none" : root.path("format"))
                    + " (expected: '" + FORMAT + "')");
        }
        JsonNode version = root.path("version");
        if (!version.isInt() || version.intValue() != VERSION) {
            throw new IllegalArgumentException("version " + version + " (expected: " + VERSION
                    + ", the version this library reads)");
        }
        Preprocessor p = Preprocessor.fromJson(root.path("preprocessor"));
        String hash = sha256(root.path("preprocessor").toString());
        if (!hash.equals(root.path("sha256").asText(null))) {
            throw new IllegalArgumentException("sha256 " + root.path("sha256") + " (expected: " + hash
                    + ", the preprocessor's own; the file was changed)");
        }
        List<String> classNames = new ArrayList<>();
        for (JsonNode n : root.path("classNames")) {
            classNames.add(n.asText());
        }
        if (!root.path("labelName").isTextual() || !root.path("options").isObject()
                || !root.path("provenance").isObject()) {
            throw new IllegalArgumentException("labelName, options or provenance missing (expected: all three)");
        }
        return new StoredPreprocessing(p, root.path("labelName").textValue(), classNames,
                (ObjectNode) root.path("options"), (ObjectNode) root.path("provenance"));
    }

    private static <T> JsonNode json(Hyperparameter<T> h, TrainingConfig config) {
        return h.toJson(h.get(config));
    }

    /** The value of option {@code h} it was fitted with. */
    public <T> T option(Hyperparameter<T> h) {
        JsonNode v = options.get(h.name());
        if (v == null) {
            throw new IllegalArgumentException("options." + h.name() + " missing (expected: in every stored"
                    + " preprocessing)");
        }
        return h.fromJson(v);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest Javadoc).
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
