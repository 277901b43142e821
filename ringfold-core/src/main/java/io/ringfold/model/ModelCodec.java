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
import io.ringfold.nn.Activation;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Maps a {@link Model} to and from a {@link ModelFile}: the JSON header carries the model kind, the network,
 * class names, preprocessing and provenance; the tensors carry the parameters. A model directory holds one
 * file, {@value #FILE_NAME}.
 *
 * <p>Two kinds of header are read: {@value #KIND} (the model format's version 2: {@code "network"}, a
 * {@link Network} of layers) and {@value #KIND_V1} (version 1, written before networks were made of layers:
 * {@code "architecture"}, a dense network), which loads as the same network with the same tensors, so such a
 * model predicts exactly as it did. Version 2 is written.
 */
public final class ModelCodec {

    public static final String FILE_NAME = "model.rfm";
    /** The header's {@code kind} of the current format; a reader meeting an unknown kind refuses it by name. */
    public static final String KIND = "ringfold.network";
    /** The kind of the first format (a dense network as {@code "architecture"}), still read. */
    public static final String KIND_V1 = "ringfold.dense";

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
        ObjectNode h = JSON.createObjectNode();
        h.put("kind", KIND);
        h.set("network", model.network().toJson());
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
        String kind = h.path("kind").asText();
        if (!KIND.equals(kind) && !KIND_V1.equals(kind)) {
            throw new ModelFileException(file, "model kind '" + kind + "' (expected: " + KIND + ", or " + KIND_V1
                    + " from an earlier Ringfold; written by a newer Ringfold?)");
        }
        try {
            Network net = KIND.equals(kind) ? Network.fromJson(h.get("network"))
                    : architecture(h.get("architecture")).toNetwork();
            // The header's sizes are only claims: each must match a tensor the file holds before the
            // parameter vector is allocated, so a small file cannot declare its way into a huge allocation.
            checkTensors(net, tensors);
            checkWidths(h, net, limits);
            float[] params = new float[net.parameterCount()];
            int offset = 0;
            for (NamedTensor t : tensors) {
                float[] data = t.data();
                System.arraycopy(data, 0, params, offset, data.length);
                offset += data.length;
            }
            List<String> classNames = new ArrayList<>();
            h.path("class_names").forEach(n -> classNames.add(n.asText()));
            Model m = new Model(net, params, Preprocessor.fromJson(h.get("preprocessor")), classNames,
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

    /** A version 1 header's {@code "architecture"}: a dense network of one of the classic families. */
    private static Architecture architecture(JsonNode a) {
        if (a == null || !a.isObject() || !a.path("hidden").isArray()) {
            throw new IllegalArgumentException("architecture: " + a + " (expected: type, inputs, hidden, activation,"
                    + " outputs and loss)");
        }
        int[] hidden = new int[a.get("hidden").size()];
        for (int i = 0; i < hidden.length; i++) {
            hidden[i] = a.get("hidden").get(i).asInt();
        }
        return new Architecture(ModelType.parse(a.path("type").asText()), a.path("inputs").asInt(), hidden,
                Activation.parse(a.path("activation").asText()), a.path("outputs").asInt(),
                Loss.parse(a.path("loss").asText()));
    }

    /** The file holds exactly the network's tensors ({@link Network#parameterTensors()}), names and shapes, in order. */
    private static void checkTensors(Network net, List<NamedTensor> tensors) {
        List<Network.ParameterTensor> expected = net.parameterTensors();
        if (tensors.size() != expected.size()) {
            throw new IllegalArgumentException("tensors: " + tensors.size() + " in the file (expected: "
                    + expected.size() + " for " + net.describe() + ")");
        }
        for (int i = 0; i < expected.size(); i++) {
            NamedTensor t = tensors.get(i);
            Network.ParameterTensor e = expected.get(i);
            if (!t.name().equals(e.name()) || !Arrays.equals(t.shape(), e.dims())) {
                throw new IllegalArgumentException("tensor " + t.name() + " of shape " + Arrays.toString(t.shape())
                        + " in the file (expected: " + e.name() + " of shape " + Arrays.toString(e.dims())
                        + ", as the header's " + net.describe() + " declares)");
            }
        }
    }

    /** Classes and columns are strings: each costs far more heap than its parameters. */
    private static void checkWidths(ObjectNode h, Network net, ModelLimits limits) {
        int classes = net.loss() == Loss.CROSS_ENTROPY ? net.outputs() : 0;
        limit("classes", Math.max(classes, h.path("class_names").size()), limits.maxClasses(), "classes");
        JsonNode pre = h.path("preprocessor");
        limit("input columns", pre.path("inputColumns").size(), limits.maxColumns(), "columns");
        long categories = 0;
        for (JsonNode vocabulary : pre.path("categorical")) {
            categories += vocabulary.size();
        }
        limit("categories", categories, limits.maxColumns(), "columns");
        limit("inputs after preprocessing", net.inputSize(), limits.maxColumns(), "columns");
    }

    private static void limit(String what, long value, long max, String limitName) {
        if (value > max) {
            throw new IllegalArgumentException(what + ": " + value + " (expected: at most " + max
                    + ", the limit on model " + limitName + ")");
        }
    }
}
