package io.ringfold.onnx;

import io.ringfold.nn.LayerSpec;
import io.ringfold.nn.Network;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.ringfold.onnx.GraphBuilder.floatAttr;
import static io.ringfold.onnx.GraphBuilder.intAttr;
import static io.ringfold.onnx.GraphBuilder.intsAttr;

/**
 * A network's layers as ONNX operators, each with Ringfold's own semantics: dense is {@code x W + b} with
 * {@code W} stored fan-in × units (Gemm without transposition); convolutions and pools are square, with zero
 * padding only for convolutions, so average pooling never counts padding; batch normalisation uses its
 * running statistics (the inference form); layer normalisation covers all of an example's values; GELU is
 * the exact {@code x Φ(x)}, written with Erf since the Gelu operator only came in opset 20. Constants carry the
 * model file's tensor names ({@code conv2d_0/weight}).
 */
final class NetworkGraph {

    private final GraphBuilder g;
    private final float[] params;
    private final Map<Integer, Network.ParameterTensor> byOffset = new TreeMap<>();

    NetworkGraph(GraphBuilder g, Network network, float[] params) {
        this.g = g;
        this.params = params;
        for (Network.ParameterTensor t : network.parameterTensors()) {
            byOffset.put(t.offset(), t);
        }
    }

    /** The output of {@code nodes} applied in order to {@code x}: a batch of examples of the first node's input shape. */
    String layers(List<Network.Node> nodes, String x) {
        String y = x;
        for (Network.Node n : nodes) {
            y = layer(n, y);
        }
        return y;
    }

    private String layer(Network.Node n, String x) {
        LayerSpec s = n.spec();
        return switch (s.kind()) {
            case DENSE -> g.op("Gemm", List.of(x, tensor(n, "weight"), tensor(n, "bias")));
            case CONV2D -> {
                int k = s.intValue("kernel");
                int p = s.intValue("padding");
                int st = s.intValue("stride");
                yield g.op("Conv", List.of(x, tensor(n, "weight"), tensor(n, "bias")), intsAttr("kernel_shape", k, k),
                        intsAttr("pads", p, p, p, p), intsAttr("strides", st, st));
            }
            case MAXPOOL2D, AVGPOOL2D -> {
                int size = s.intValue("size");
                int st = s.intValue("stride");
                yield g.op(s.kind() == io.ringfold.nn.LayerKind.MAXPOOL2D ? "MaxPool" : "AveragePool", List.of(x),
                        intsAttr("kernel_shape", size, size), intsAttr("strides", st, st));
            }
            case GLOBALAVGPOOL -> flatten(g.op("GlobalAveragePool", List.of(x)));
            case FLATTEN -> flatten(x);
            case DROPOUT -> x; // identity at inference
            case BATCHNORM -> g.op("BatchNormalization", List.of(x, tensor(n, "gamma"), tensor(n, "beta"),
                    tensor(n, "running_mean"), tensor(n, "running_var")), floatAttr("epsilon", s.floatValue("epsilon")));
            case LAYERNORM -> g.op("LayerNormalization", List.of(x, tensor(n, "gamma"), tensor(n, "beta")),
                    intAttr("axis", 1), floatAttr("epsilon", s.floatValue("epsilon")));
            case EMBEDDINGBAG -> embeddingBag(n, x);
            case RELU -> g.op("Relu", List.of(x));
            case LEAKYRELU -> g.op("LeakyRelu", List.of(x), floatAttr("alpha", s.floatValue("slope")));
            case GELU -> gelu(x);
            case TANH -> g.op("Tanh", List.of(x));
            case SIGMOID -> g.op("Sigmoid", List.of(x));
            case ADD -> g.op("Add", List.of(layers(n.block(), x), x));
        };
    }

    private String flatten(String x) {
        return g.op("Flatten", List.of(x), intAttr("axis", 1));
    }

    /**
     * The layer's input is a row of token counts over the vocabulary (see EmbeddingBagLayer), so the bag's
     * sum is the counts times the table; the mean divides by the row's count, and a row without tokens gives
     * zeros.
     */
    private String embeddingBag(Network.Node n, String x) {
        String sum = g.op("MatMul", List.of(x, tensor(n, "weight")));
        if (!n.spec().word("mode").equals("mean")) {
            return sum;
        }
        String tokens = g.op("ReduceSum", List.of(x, g.longs("axis_1", new long[] {1}, 1)), intAttr("keepdims", 1));
        String zero = g.floats("zero", new float[] {0f});
        String scale = g.op("Where", List.of(g.op("Greater", List.of(tokens, zero)),
                g.op("Reciprocal", List.of(tokens)), zero));
        return g.op("Mul", List.of(sum, scale));
    }

    /** x · Φ(x) = x · (1 + erf(x / √2)) / 2. */
    private String gelu(String x) {
        String erf = g.op("Erf", List.of(g.op("Div", List.of(x, g.floats("sqrt2", new float[] {(float) Math.sqrt(2)})))));
        String phi = g.op("Mul", List.of(g.op("Add", List.of(erf, g.floats("one", new float[] {1f}))),
                g.floats("half", new float[] {0.5f})));
        return g.op("Mul", List.of(x, phi));
    }

    /** The node's parameter tensor {@code name} (weight, bias, gamma, ...) as a constant of its stored shape. */
    private String tensor(Network.Node n, String name) {
        for (Network.ParameterTensor t : byOffset.values()) {
            if (t.offset() >= n.paramOffset() && t.offset() < n.paramOffset() + n.paramCount()
                    && t.name().endsWith("/" + name)) {
                long[] dims = Arrays.stream(t.dims()).asLongStream().toArray();
                return g.floats(t.name(), Arrays.copyOfRange(params, t.offset(), t.offset() + t.count()), dims);
            }
        }
        throw new IllegalStateException(n.label() + ": no parameter tensor " + name);
    }
}
