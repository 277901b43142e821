package io.ringfold.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.Preprocessor;
import io.ringfold.io.ModelFile;
import io.ringfold.io.ModelFileException;
import io.ringfold.io.NamedTensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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

    /** Reads a model from a model file or a directory holding {@value #FILE_NAME}. */
    public static Model load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve(FILE_NAME) : path;
        if (!Files.exists(file)) {
            throw new ModelFileException(file, "no such model file"
                    + (Files.isDirectory(path) ? " (expected: " + FILE_NAME + " in " + path + ")" : ""));
        }
        ModelFile.Contents c = ModelFile.read(file);
        return fromContents(file, c.header(), c.tensors());
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

    static Model fromContents(Path file, ObjectNode h, List<NamedTensor> tensors) throws ModelFileException {
        if (!KIND.equals(h.path("kind").asText())) {
            throw new ModelFileException(file, "model kind '" + h.path("kind").asText() + "' (expected: " + KIND + ")");
        }
        try {
            JsonNode a = h.get("architecture");
            int[] hidden = new int[a.get("hidden").size()];
            for (int i = 0; i < hidden.length; i++) {
                hidden[i] = a.get("hidden").get(i).asInt();
            }
            Architecture arch = new Architecture(ModelType.parse(a.get("type").asText()), a.get("inputs").asInt(),
                    hidden, Activation.parse(a.get("activation").asText()), a.get("outputs").asInt(),
                    Loss.parse(a.get("loss").asText()));
            float[] params = new float[arch.parameterCount()];
            if (tensors.size() != 2 * arch.layerCount()) {
                throw new IllegalArgumentException("tensors: " + tensors.size() + " (expected: "
                        + 2 * arch.layerCount() + " for " + arch.describe() + ")");
            }
            for (int l = 0; l < arch.layerCount(); l++) {
                copyTensor(tensors.get(2 * l), "dense_" + l + "/weight", params, arch.weightOffset(l),
                        arch.fanIn(l) * arch.fanOut(l));
                copyTensor(tensors.get(2 * l + 1), "dense_" + l + "/bias", params, arch.biasOffset(l), arch.fanOut(l));
            }
            List<String> classNames = new ArrayList<>();
            h.path("class_names").forEach(n -> classNames.add(n.asText()));
            Model m = new Model(arch, params, Preprocessor.fromJson(h.get("preprocessor")), classNames,
                    Provenance.fromJson(h.get("provenance")));
            String digest = h.path("parameter_digest").asText();
            if (!digest.equals(m.parameterDigest())) {
                throw new IllegalArgumentException("parameter_digest: " + digest + " (expected: " + m.parameterDigest()
                        + ", computed from the tensors)");
            }
            return m;
        } catch (RuntimeException e) {
            throw new ModelFileException(file, "invalid model header: " + e.getMessage(), e);
        }
    }

    private static void copyTensor(NamedTensor t, String name, float[] params, int off, int size) {
        if (!t.name().equals(name) || t.data().length != size) {
            throw new IllegalArgumentException("tensor " + t.name() + " with " + t.data().length + " values (expected: "
                    + name + " with " + size + ")");
        }
        System.arraycopy(t.data(), 0, params, off, size);
    }
}
