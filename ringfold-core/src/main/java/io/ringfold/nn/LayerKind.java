package io.ringfold.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The kinds of layer a network is made of, each with its hyperparameters declared once ({@link LayerParam}):
 * the builder, the JSON architecture file, {@code --layers}, the model file and the documentation all go
 * through this list. A parameter's position here is its position in the command-line form, so
 * {@code conv2d(20,5)} is 20 filters with a 5x5 kernel.
 */
public enum LayerKind {
    DENSE("dense", "fully connected: y = x W + b", LayerParam.integer("units", 1, "outputs of the layer")),
    CONV2D("conv2d", "2-D convolution over an image (channels, height, width), bias per filter",
            LayerParam.integer("filters", 1, "output channels"),
            LayerParam.integer("kernel", 1, "the kernel's height and width"),
            LayerParam.integer("stride", 1, 1, "step between kernel positions"),
            LayerParam.integer("padding", 0, 0, "zeros added on each side")),
    MAXPOOL2D("maxpool2d", "largest value of each window, per channel",
            LayerParam.integer("size", 1, "the window's height and width"),
            LayerParam.integer("stride", 1, "size", "step between windows (default: the size)")),
    AVGPOOL2D("avgpool2d", "mean of each window, per channel",
            LayerParam.integer("size", 1, "the window's height and width"),
            LayerParam.integer("stride", 1, "size", "step between windows (default: the size)")),
    GLOBALAVGPOOL("globalavgpool", "mean of each channel over the image: channels x h x w -> channels"),
    FLATTEN("flatten", "the example's tensor as a vector"),
    DROPOUT("dropout", "in training, zeros each value with probability rate and scales the rest by 1/(1-rate); "
            + "identity in evaluation", LayerParam.number("rate", 0, 1, true, 0.5, "probability of dropping a value")),
    BATCHNORM("batchnorm", "normalises each feature (each channel of an image) by its mean and variance over the "
            + "logical shard in training, by running statistics in evaluation; then gamma and beta",
            LayerParam.number("momentum", 0, 1, false, 0.1, "weight of a step's statistics in the running ones"),
            LayerParam.number("epsilon", 0, 1, false, 1e-5, "added to the variance")),
    LAYERNORM("layernorm", "normalises each example over all its values, then gamma and beta per value",
            LayerParam.number("epsilon", 0, 1, false, 1e-5, "added to the variance")),
    EMBEDDINGBAG("embeddingbag", "mean or sum of the embeddings of a text's tokens (input: token counts over "
            + "the vocabulary)",
            LayerParam.integer("dim", 1, "embedding width"),
            LayerParam.word("mode", List.of("mean", "sum"), "how the token embeddings are combined")),
    RELU("relu", "max(0, x)"),
    LEAKYRELU("leakyrelu", "x for x > 0, slope * x otherwise",
            LayerParam.number("slope", 0, 1, false, 0.01, "slope for negative inputs")),
    GELU("gelu", "x * Phi(x), the exact form with the error function"),
    TANH("tanh", "hyperbolic tangent"),
    SIGMOID("sigmoid", "1 / (1 + exp(-x))"),
    ADD("add", "residual: the block's output added to its input (same shape)");

    private final String id;
    private final String meaning;
    private final List<LayerParam> params;

    LayerKind(String id, String meaning, LayerParam... params) {
        this.id = id;
        this.meaning = meaning;
        this.params = List.of(params);
    }

    /** The name in {@code --layers} and JSON: {@code conv2d}. */
    public String id() {
        return id;
    }

    public String meaning() {
        return meaning;
    }

    public List<LayerParam> params() {
        return params;
    }

    /** Whether this kind only applies a function to each value (no parameters, shape unchanged). */
    public boolean isActivation() {
        return this == RELU || this == LEAKYRELU || this == GELU || this == TANH || this == SIGMOID;
    }

    public static LayerKind parse(String where, String id) {
        String v = id.trim().toLowerCase(Locale.ROOT);
        for (LayerKind k : values()) {
            if (k.id.equals(v)) {
                return k;
            }
        }
        List<String> ids = new ArrayList<>();
        for (LayerKind k : values()) {
            ids.add(k.id);
        }
        throw new IllegalArgumentException(where + ": layer '" + id + "' unknown (expected: one of "
                + String.join(", ", ids) + ")");
    }
}
