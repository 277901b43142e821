package io.ringfold.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.Preprocessor;
import io.ringfold.io.ModelFile;
import io.ringfold.io.ModelFileException;
import io.ringfold.io.ModelLimits;
import io.ringfold.io.NamedTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Maps a {@link Model} to and from a {@link ModelFile}: the JSON header carries the model kind,
 * architecture, class names, preprocessing and provenance; the tensors carry the parameters. A model
 * directory holds one file, {@value #FILE_NAME}.
 */
public final class ModelCodec {

    public static final String FILE_NAME = "model.rfm";
    /** The header's {@code kind}; a reader meeting another kind refuses it by name. */
    public static final String KIND = "ringfold.dense";

    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelCodec() {
    }

    /** Writes {@code model} to {@code dir/model.rfm} (atomically), creating {@code dir}; returns the file. */
    public static Path save(Model model, Path dir, ObjectNode evaluation) throws IOException {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new ModelFileException(dir, "cannot create model directory: " + e, e);
        }
        Path file = dir.resolve(FILE_NAME);
        ModelFile.write(file, header(model, evaluation), model.tensors());
        return file;
    }

    /** Reads a model from a model file or a directory holding {@value #FILE_NAME}, within the format's own limits. */
    public static Model load(Path path) throws IOException {
        return load(path, ModelLimits.FORMAT);
    }

    /**
     * Reads a model from a model file or a directory holding {@value #FILE_NAME}, refusing with a
     * {@link ModelFileException} that names the value and the limit a file beyond {@code limits}; every size
     * the header declares is checked against the tensors the file holds before anything is allocated.
     */
    public static Model load(Path path, ModelLimits limits) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
        if (!Files.exists(file)) {
            throw new ModelFileException(file, "no such model file"
                    + (Files.isDirectory(path) ? " (expected: " + FILE_NAME + " in " + path + ")" : ""));
        }
        ModelFile.Contents c = ModelFile.read(file, limits);
        return fromContents(file, c.header(), c.tensors(), limits);
    }

    /** The evaluation saved with a model file, or an empty object. */
    public static ObjectNode evaluation(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
        JsonNode e = ModelFile.read(file).header().get("evaluation");
        return e instanceof ObjectNode o ? o : JSON.createObjectNode();
    }

    static ObjectNode header(Model model, ObjectNode evaluation) {
        Architecture a = model.architecture();
        ObjectNode h = JSON.createObjectNode();
        h.put("kind", KIND);
        ObjectNode arch = h.putObject("architecture");
        arch.put("type", a.type().id());
        arch.put("inputs", a.inputs());
        ArrayNode hidden = arch.putArray("hidden");
        for (int w : a.hidden()) {
            hidden.add(w);
        }
        arch.put("activation", a.activation().id());
        arch.put("outputs", a.outputs());
        arch.put("loss", a.loss().id());
        ArrayNode classes = h.putArray("class_names");
        model.classNames().forEach(classes::add);
        h.set("preprocessor", model.preprocessor().toJson());
        h.set("provenance", model.provenance().toJson());
        h.put("parameter_digest", model.parameterDigest());
        h.set("evaluation", evaluation == null ? JSON.createObjectNode() : evaluation.deepCopy());
        return h;
    }

    static Model fromContents(Path file, ObjectNode h, List<NamedTensor> tensors, ModelLimits limits)
            throws ModelFileException {
        if (!KIND.equals(h.path("kind").asText())) {
            throw new ModelFileException(file, "model kind '" + h.path("kind").asText() + "' (expected: " + KIND + ")");
        }
        try {
            Architecture arch = architecture(h.get("architecture"));
            // The header's sizes are only claims: each must match a tensor the file holds before the
            // parameter vector is allocated, so a small file cannot declare its way into a huge allocation.
            checkTensors(arch, tensors);
            checkWidths(h, arch, limits);
            float[] params = new float[arch.parameterCount()];
            int offset = 0;
            for (NamedTensor t : tensors) {
                float[] data = t.data();
                System.arraycopy(data, 0, params, offset, data.length);
                offset += data.length;
            }
            List<String> classNames = new ArrayList<>();
            h.path("class_names").forEach(n -> classNames.add(n.asText()));
            Model m = new Model(arch, params, Preprocessor.fromJson(h.get("preprocessor")), classNames,
                    Provenance.fromJson(h.get("provenance")));
            // The file's tensors are the model's (same names, shapes and bits, in order), so their digest is the
            // model's without building its tensors again.
            String computed = ModelFile.parameterDigest(tensors);
            String digest = h.path("parameter_digest").asText();
            if (!digest.equals(computed)) {
                throw new IllegalArgumentException("parameter_digest: " + digest + " (expected: " + computed
                        + ", computed from the tensors)");
            }
            return m;
        } catch (RuntimeException e) {
            throw new ModelFileException(file, "invalid model header: " + e.getMessage(), e);
        }
    }

    private static Architecture architecture(JsonNode a) {
        int[] hidden = new int[a.get("hidden").size()];
        for (int i = 0; i < hidden.length; i++) {
            hidden[i] = a.get("hidden").get(i).asInt();
        }
        return new Architecture(ModelType.parse(a.get("type").asText()), a.get("inputs").asInt(), hidden,
                Activation.parse(a.get("activation").asText()), a.get("outputs").asInt(), Loss.parse(a.get("loss").asText()));
    }

    /** Layer l is {@code dense_l/weight} of shape [fanIn, fanOut] then {@code dense_l/bias} of shape [fanOut]. */
    private static void checkTensors(Architecture arch, List<NamedTensor> tensors) {
        if (tensors.size() != 2 * arch.layerCount()) {
            throw new IllegalArgumentException("tensors: " + tensors.size() + " in the file (expected: "
                    + 2 * arch.layerCount() + " for " + arch.describe() + ")");
        }
        for (int l = 0; l < arch.layerCount(); l++) {
            checkTensor(arch, tensors.get(2 * l), "dense_" + l + "/weight", arch.fanIn(l), arch.fanOut(l));
            checkTensor(arch, tensors.get(2 * l + 1), "dense_" + l + "/bias", arch.fanOut(l));
        }
    }

    private static void checkTensor(Architecture arch, NamedTensor t, String name, int... shape) {
        if (!t.name().equals(name) || !Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException("tensor " + t.name() + " of shape " + Arrays.toString(t.shape())
                    + " in the file (expected: " + name + " of shape " + Arrays.toString(shape) + ", as the header's "
                    + arch.describe() + " declares)");
        }
    }

    /** Classes and columns are strings: each costs far more heap than its parameters. */
    private static void checkWidths(ObjectNode h, Architecture arch, ModelLimits limits) {
        int classes = arch.loss() == Loss.CROSS_ENTROPY ? arch.outputs() : 0;
        limit("classes", Math.max(classes, h.path("class_names").size()), limits.maxClasses(), "classes");
        JsonNode pre = h.path("preprocessor");
        limit("input columns", pre.path("inputColumns").size(), limits.maxColumns(), "columns");
        long categories = 0;
        for (JsonNode vocabulary : pre.path("categorical")) {
            categories += vocabulary.size();
        }
        limit("categories", categories, limits.maxColumns(), "columns");
        limit("inputs after preprocessing", arch.inputs(), limits.maxColumns(), "columns");
    }

    private static void limit(String what, long value, long max, String limitName) {
        if (value > max) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: at most " + max
                    + ", the limit on model " + limitName + ")");
        }
    }
}
