package io.ringfold.serving;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.Preprocessor;
import io.ringfold.io.ModelFile;
import io.ringfold.model.Architecture;
import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.model.ModelType;
import io.ringfold.model.Provenance;
import io.ringfold.nn.Activation;
import io.ringfold.nn.Loss;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small models with hand-set parameters, written into a test repository. */
public final class TestModels {

    private TestModels() {
    }

    /**
     * Softmax over 3 classes of 2 inputs with W = [[s, 0, -s], [0, s, 0]] and zero biases, classes named
     * a, b, c: for x = (1, 0) the logits are (s, 0, -s), so class a wins.
     */
    public static Model softmax(float s) {
        Architecture arch = new Architecture(ModelType.SOFTMAX, 2, new int[0], Activation.RELU, 3, Loss.CROSS_ENTROPY);
        float[] p = {s, 0, -s, 0, s, 0, 0, 0, 0};
        return new Model(arch, p, Preprocessor.identity(List.of("x0", "x1")), List.of("a", "b", "c"), provenance());
    }

    /**
     * A small CNN on 1x4x4 images (16 pixel columns p0..p15), 3 classes a, b, c, with seeded random parameters:
     * {@code conv2d(2,3,padding=1),batchnorm,relu,maxpool2d(2),flatten,dense(4),relu}.
     */
    public static Model cnn() {
        io.ringfold.nn.Network net = io.ringfold.nn.Network.of(io.ringfold.nn.Shape.of(1, 4, 4),
                io.ringfold.nn.LayerList.parse("conv2d(2,3,padding=1),batchnorm,relu,maxpool2d(2),flatten,dense(4),relu"),
                3, Loss.CROSS_ENTROPY);
        float[] p = net.initialParameters(9);
        io.ringfold.random.SplitMix64 rng = new io.ringfold.random.SplitMix64(9);
        for (int i = 0; i < p.length; i++) {
            p[i] += (float) (0.1 * rng.nextGaussian());
        }
        List<String> columns = new java.util.ArrayList<>();
        for (int i = 0; i < 16; i++) {
            columns.add("p" + i);
        }
        return new Model(net, p, Preprocessor.identity(columns), List.of("a", "b", "c"), provenance());
    }

    /** y = 2 x0 - x1 + 0.5. */
    public static Model linear() {
        Architecture arch = new Architecture(ModelType.LINEAR, 2, new int[0], Activation.RELU, 1, Loss.MSE);
        return new Model(arch, new float[] {2, -1, 0.5f}, Preprocessor.identity(List.of("x0", "x1")), List.of(),
                provenance());
    }

    /**
     * Logistic regression on the token counts of one text column, body, with vocabulary free (id 1),
     * money (2), meeting (3): weights 0.5 for unknown tokens, 1, 1 and -2, bias -1. "Free money, free!" has
     * counts (0, 2, 1, 0): logit 2, so P(spam) = sigmoid(2); "meeting" alone has logit -3.
     */
    public static Model spamFilter() {
        ObjectNode pre = new ObjectMapper().createObjectNode();
        pre.put("format", "ringfold-preprocessor").put("version", 2);
        pre.putArray("inputColumns").add("body");
        pre.putObject("categorical");
        pre.put("shift", "AAAAAA==").put("scale", "AACAPw=="); // float32 0 and 1
        ObjectNode text = pre.putObject("text");
        text.put("column", "body").put("tokenizer", "lowercase-alphanumeric").put("ngrams", 1);
        text.putArray("vocabulary").add("free").add("money").add("meeting");
        Architecture arch = new Architecture(ModelType.LOGISTIC, 4, new int[0], Activation.RELU, 1,
                Loss.BINARY_CROSS_ENTROPY);
        return new Model(arch, new float[] {0.5f, 1, 1, -2, -1}, Preprocessor.fromJson(pre), List.of("ham", "spam"),
                provenance());
    }

    /**
     * Linear regression on a categorical column colour (blue, red) and a number x: weights 1 (blue), 2 (red)
     * and 10 (x), bias 0.5, no standardisation; a missing x is imputed as 2, and an unseen colour gives
     * zeros or an error as {@code unseen} says. So (blue, 1) predicts 11.5, (green, 1) 10.5 with zeros and
     * (red, missing) 22.5.
     */
    public static Model colourRegressor(String unseen) {
        ObjectNode pre = new ObjectMapper().createObjectNode();
        pre.put("format", "ringfold-preprocessor").put("version", 3);
        pre.putArray("inputColumns").add("colour").add("x");
        pre.putObject("categorical").putArray("colour").add("blue").add("red");
        pre.put("shift", floats(0, 0)).put("scale", floats(1, 1));
        pre.putObject("impute").put("strategy", "mean").put("values", floats(Float.NaN, 2));
        pre.putArray("dropped");
        pre.put("unseenCategories", unseen);
        Architecture arch = new Architecture(ModelType.LINEAR, 3, new int[0], Activation.IDENTITY, 1, Loss.MSE);
        return new Model(arch, new float[] {1, 2, 10, 0.5f}, Preprocessor.fromJson(pre), List.of(), provenance());
    }

    /** Base64 of little-endian float32, as the preprocessor JSON stores floats. */
    private static String floats(float... values) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * values.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return java.util.Base64.getEncoder().encodeToString(b.array());
    }

    static Provenance provenance() {
        return Provenance.capture(new ObjectMapper().createObjectNode(), 1, "test", "none", "test");
    }

    public static Path write(Path repo, String name, long version, Model m) throws IOException {
        return ModelCodec.save(m, repo.resolve(name).resolve(Long.toString(version)), new ObjectMapper().createObjectNode());
    }

    /** The input count {@link #writeMemoryBomb} declares: 700 million × 3 classes is 2.1 billion floats, 8.4 GB. */
    public static final int BOMB_INPUTS = 700_000_000;

    /**
     * A model file of about 1 KB, checksum valid, whose header declares {@link #BOMB_INPUTS} inputs for
     * {@link #softmax}'s tensors: a loader that sizes the parameter vector from the header before it looks
     * at the tensors allocates 8.4 GB.
     */
    public static Path writeMemoryBomb(Path repo, String name, long version) throws IOException {
        Path file = write(repo, name, version, softmax(1));
        ModelFile.Contents c = ModelFile.read(file);
        ObjectNode header = c.header();
        ((ObjectNode) header.get("network")).putArray("input").add(BOMB_INPUTS);
        ModelFile.write(file, header, c.tensors());
        return file;
    }

    /** The reason a {@link #writeMemoryBomb} file is refused with. */
    public static String memoryBombReason(Path file) {
        return file + ": invalid model header: tensor dense_0/weight of shape [2, 3] in the file (expected: dense_0/weight"
                + " of shape [" + BOMB_INPUTS + ", 3], as the header's " + BOMB_INPUTS + " -> dense(3) softmax (loss"
                + " cross-entropy, 2100000003 parameters) declares)";
    }

    /** A version directory whose model file is not a model file. */
    public static Path writeCorrupt(Path repo, String name, long version) throws IOException {
        Path dir = repo.resolve(name).resolve(Long.toString(version));
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve(ModelCodec.FILE_NAME), "this is not a model file");
    }
}
