package io.ringfold.nn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A network: the shape of one example, the hidden layers as written, and an output layer that follows from
 * the task (a dense layer of {@code outputs} units whose activation the {@link Loss} fixes). Putting it
 * together checks every layer against the shape it receives, so a bad architecture fails before any training,
 * with one line naming the layer's position and the problem: {@code layers[3] conv2d(50,5): input 20x4x4 is
 * smaller than the kernel 5x5}.
 *
 * <p>Parameters live in one flat {@code float[]}, each layer's in a contiguous range in layer order (a residual
 * block's layers inside its own), so optimizers and AllReduce see one vector. Some entries are not trained
 * but tracked: batch normalisation's running statistics ({@link #bufferMask()}), which a step moves towards
 * the batch's statistics instead of along a gradient. Immutable.
 */
public final class Network {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One layer as placed in the network: its spec, its shapes, its position and parameter range. */
    public record Node(String where, LayerSpec spec, Shape in, Shape out, int paramOffset, int paramCount,
                       List<Node> block) {

        /** {@code layers[3] conv2d(50,5)}, or {@code output dense(10)}: how messages name it. */
        public String label() {
            return where + " " + spec.format();
        }
    }

    private final Shape input;
    private final List<LayerSpec> hidden;
    private final int outputs;
    private final Loss loss;
    private final List<Node> nodes;
    private final int parameterCount;

    private Network(Shape input, List<LayerSpec> hidden, int outputs, Loss loss) {
        if (outputs < 1) {
            throw new IllegalArgumentException("outputs: " + outputs + " (expected: > 0)");
        }
        if (loss == Loss.BINARY_CROSS_ENTROPY && outputs != 1) {
            throw new IllegalArgumentException("outputs: " + outputs + " (expected: 1 for binary cross-entropy)");
        }
        if (loss == Loss.CROSS_ENTROPY && outputs < 2) {
            throw new IllegalArgumentException("outputs: " + outputs + " (expected: >= 2 classes for cross-entropy)");
        }
        this.input = input;
        this.hidden = List.copyOf(hidden);
        this.outputs = outputs;
        this.loss = loss;
        int[] offset = {0};
        List<Node> placed = new ArrayList<>();
        Shape shape = input;
        for (int i = 0; i < hidden.size(); i++) {
            Node n = place("layers[" + i + "]", hidden.get(i), shape, offset, i == 0);
            placed.add(n);
            shape = n.out();
        }
        placed.add(place("output", LayerSpec.of(LayerKind.DENSE, outputs), shape, offset, hidden.isEmpty()));
        this.nodes = Collections.unmodifiableList(placed);
        this.parameterCount = offset[0];
    }

    /** {@code hidden} layers on examples of shape {@code input}, then a dense output of {@code outputs} units. */
    public static Network of(Shape input, List<LayerSpec> hidden, int outputs, Loss loss) {
        return new Network(input, hidden, outputs, loss);
    }

    public static Builder builder() {
        return new Builder();
    }

    private static Node place(String where, LayerSpec spec, Shape in, int[] offset, boolean first) {
        String at = where + " " + spec.format();
        Shape out = Shapes.output(at, spec, in, first);
        int count = Shapes.parameterCount(spec, in);
        int start = offset[0];
        if ((long) start + count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(at + ": parameters beyond 2^31 in all (expected: a smaller network)");
        }
        List<Node> block = List.of();
        if (spec.kind() == LayerKind.ADD) {
            List<Node> inner = new ArrayList<>();
            Shape s = in;
            for (int j = 0; j < spec.block().size(); j++) {
                Node n = place(where + ".block[" + j + "]", spec.block().get(j), s, offset, false);
                inner.add(n);
                s = n.out();
            }
            if (!s.equals(in)) {
                throw new IllegalArgumentException(at + ": the block's output " + s + " differs from its input " + in
                        + " (expected: the same shape, to add them)");
            }
            block = List.copyOf(inner);
            count = offset[0] - start;
        } else {
            offset[0] += count;
        }
        return new Node(where, spec, in, out, start, count, block);
    }

    public Shape input() {
        return input;
    }

    /** The hidden layers as written (without the output layer). */
    public List<LayerSpec> hidden() {
        return hidden;
    }

    public int outputs() {
        return outputs;
    }

    public Loss loss() {
        return loss;
    }

    /** Every layer in order, the output layer last; a residual block's layers are inside its node. */
    public List<Node> nodes() {
        return nodes;
    }

    public int parameterCount() {
        return parameterCount;
    }

    /** Elements of one example's input. */
    public int inputSize() {
        return input.size();
    }

    /** True for weights (penalised by weight decay), false for biases, normalisation parameters and buffers. */
    public boolean[] weightMask() {
        return mask("/weight");
    }

    /** True for entries that are tracked, not trained: batch normalisation's running mean and variance. */
    public boolean[] bufferMask() {
        boolean[] mask = mask("/running_mean");
        boolean[] var = mask("/running_var");
        for (int i = 0; i < mask.length; i++) {
            mask[i] |= var[i];
        }
        return mask;
    }

    /** Whether any entry is a buffer (a network with batch normalisation). */
    public boolean hasBuffers() {
        return parameterTensors().stream().anyMatch(t -> t.name().contains("/running_"));
    }

    /**
     * For each parameter entry, the weight a step gives the batch's statistics in a running statistic (batch
     * normalisation's momentum), 0 for every trained entry; see {@link RunningStatistics}.
     */
    public float[] bufferMomentum() {
        float[] m = new float[parameterCount];
        forEachNode(nodes, n -> {
            if (n.spec().kind() == LayerKind.BATCHNORM) {
                int c = n.in().dim(0);
                java.util.Arrays.fill(m, n.paramOffset() + 2 * c, n.paramOffset() + 4 * c, n.spec().floatValue("momentum"));
            }
        });
        return m;
    }

    private boolean[] mask(String suffix) {
        boolean[] mask = new boolean[parameterCount];
        for (ParameterTensor t : parameterTensors()) {
            if (t.name().endsWith(suffix)) {
                java.util.Arrays.fill(mask, t.offset(), t.offset() + t.count(), true);
            }
        }
        return mask;
    }

    /**
     * One parameter tensor of the network as the model file stores it: {@code dense_0/weight}, {@code
     * conv2d_1/bias}, {@code batchnorm_0/running_mean}; layers of a kind numbered in order from 0, so a dense
     * network's tensors keep the names (and its models the digests) they had before layers existed.
     */
    public record ParameterTensor(String name, int[] dims, int offset, int count) {
    }

    /** Every parameter tensor, in parameter order. */
    public List<ParameterTensor> parameterTensors() {
        List<ParameterTensor> out = new ArrayList<>();
        Map<LayerKind, Integer> counters = new java.util.EnumMap<>(LayerKind.class);
        forEachNode(nodes, n -> {
            if (n.spec().kind() == LayerKind.ADD || n.paramCount() == 0) {
                return;
            }
            int k = counters.merge(n.spec().kind(), 1, Integer::sum) - 1;
            for (Shapes.Tensor t : Shapes.tensors(n.spec(), n.in())) {
                out.add(new ParameterTensor(n.spec().kind().id() + "_" + k + "/" + t.name(), t.dims(),
                        n.paramOffset() + t.offset(), t.count()));
            }
        });
        return out;
    }

    /**
     * Parameters before training, from {@code seed}: He or Glorot uniform weights, zero biases, normalisations'
     * scales at one, zero for a network that is one dense layer (convex); see {@code Layers}.
     */
    public float[] initialParameters(long seed) {
        return Layers.initialParameters(this, seed);
    }

    /** Multiply-adds of one forward pass of one example, for FLOP accounting in benchmarks. */
    public long forwardMacs() {
        long[] macs = {0};
        forEachNode(nodes, n -> macs[0] += Shapes.macs(n.spec(), n.in(), n.out()));
        return macs[0];
    }

    static void forEachNode(List<Node> nodes, java.util.function.Consumer<Node> c) {
        for (Node n : nodes) {
            c.accept(n);
            forEachNode(n.block(), c);
        }
    }

    /**
     * {@code 1x28x28 -> conv2d(20,5) -> relu -> ... -> dense(10) softmax (loss cross-entropy, 431080 parameters)}:
     * one line for logs and provenance.
     */
    public String describe() {
        StringBuilder sb = new StringBuilder(input.toString());
        for (LayerSpec s : hidden) {
            sb.append(" -> ").append(s.format());
        }
        sb.append(" -> dense(").append(outputs).append(") ").append(switch (loss) {
            case MSE -> "linear";
            case BINARY_CROSS_ENTROPY -> "sigmoid";
            case CROSS_ENTROPY -> "softmax";
        }).append(" (loss ").append(loss.id()).append(", ").append(parameterCount).append(" parameters)");
        return sb.toString();
    }

    /** {@code {"input": [1, 28, 28], "layers": [...], "outputs": 10, "loss": "cross-entropy"}}. */
    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        ArrayNode in = n.putArray("input");
        for (int d : input.dims()) {
            in.add(d);
        }
        ArrayNode layers = n.putArray("layers");
        for (LayerSpec s : hidden) {
            layers.add(s.toJson());
        }
        n.put("outputs", outputs);
        n.put("loss", loss.id());
        return n;
    }

    /** The network {@link #toJson} describes; errors name the field. */
    public static Network fromJson(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("network: " + (n == null ? "missing" : n.getNodeType())
                    + " (expected: an object with input, layers, outputs and loss)");
        }
        return of(shapeFromJson(n.get("input")), layersFromJson(n.get("layers")), intField(n, "outputs"),
                Loss.parse(textField(n, "loss")));
    }

    /** A JSON array of layer objects (the {@code layers} of an architecture file). */
    public static List<LayerSpec> layersFromJson(JsonNode layers) {
        if (layers == null || !layers.isArray()) {
            throw new IllegalArgumentException("layers: " + (layers == null ? "missing" : layers.getNodeType()
                    .toString().toLowerCase(java.util.Locale.ROOT)) + " (expected: an array of layers)");
        }
        List<LayerSpec> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            out.add(LayerSpec.fromJson("layers[" + i + "]", layers.get(i)));
        }
        return out;
    }

    static Shape shapeFromJson(JsonNode in) {
        if (in == null || !in.isArray() || in.isEmpty()) {
            throw new IllegalArgumentException("input: " + in + " (expected: the example's shape, e.g. [1, 28, 28])");
        }
        int[] dims = new int[in.size()];
        for (int i = 0; i < dims.length; i++) {
            if (!in.get(i).canConvertToInt() || !in.get(i).isIntegralNumber() || in.get(i).intValue() < 1) {
                throw new IllegalArgumentException("input: " + in + " (expected: positive integers)");
            }
            dims[i] = in.get(i).intValue();
        }
        return Shape.of(dims);
    }

    private static int intField(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(name + ": " + v + " (expected: an integer)");
        }
        return v.intValue();
    }

    private static String textField(JsonNode n, String name) {
        JsonNode v = n.get(name);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(name + ": " + v + " (expected: a string)");
        }
        return v.textValue();
    }

    /** Parameter counts by layer kind, for summaries. */
    public Map<String, Integer> parametersByKind() {
        Map<String, Integer> out = new TreeMap<>();
        forEachNode(nodes, n -> {
            if (n.spec().kind() != LayerKind.ADD && n.paramCount() > 0) {
                out.merge(n.spec().kind().id(), n.paramCount(), Integer::sum);
            }
        });
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Network n && n.input.equals(input) && n.hidden.equals(hidden) && n.outputs == outputs
                && n.loss == loss;
    }

    @Override
    public int hashCode() {
        return ((input.hashCode() * 31 + hidden.hashCode()) * 31 + outputs) * 31 + loss.hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * Writes a network in Java the way PyTorch's {@code nn.Sequential} or Keras' {@code Sequential} does:
     * {@code Network.builder().input(1, 28, 28).conv2d(20, 5).relu().maxpool2d(2).flatten().dense(500).relu()
     * .output(10, Loss.CROSS_ENTROPY)}.
     */
    public static final class Builder {
        private Shape input;
        private final List<LayerSpec> layers = new ArrayList<>();

        private Builder() {
        }

        public Builder input(int... dims) {
            this.input = Shape.of(dims);
            return this;
        }

        public Builder layer(LayerSpec spec) {
            layers.add(spec);
            return this;
        }

        public Builder dense(int units) {
            return layer(LayerSpec.of(LayerKind.DENSE, units));
        }

        public Builder conv2d(int filters, int kernel) {
            return layer(LayerSpec.of(LayerKind.CONV2D, filters, kernel));
        }

        public Builder conv2d(int filters, int kernel, int stride, int padding) {
            return layer(LayerSpec.of(LayerKind.CONV2D, filters, kernel, stride, padding));
        }

        public Builder maxpool2d(int size) {
            return layer(LayerSpec.of(LayerKind.MAXPOOL2D, size));
        }

        public Builder avgpool2d(int size) {
            return layer(LayerSpec.of(LayerKind.AVGPOOL2D, size));
        }

        public Builder globalavgpool() {
            return layer(LayerSpec.of(LayerKind.GLOBALAVGPOOL));
        }

        public Builder flatten() {
            return layer(LayerSpec.of(LayerKind.FLATTEN));
        }

        public Builder dropout(double rate) {
            return layer(LayerSpec.of(LayerKind.DROPOUT, rate));
        }

        public Builder batchnorm() {
            return layer(LayerSpec.of(LayerKind.BATCHNORM));
        }

        public Builder layernorm() {
            return layer(LayerSpec.of(LayerKind.LAYERNORM));
        }

        public Builder embeddingbag(int dim, String mode) {
            return layer(LayerSpec.of(LayerKind.EMBEDDINGBAG, dim, mode));
        }

        public Builder relu() {
            return layer(LayerSpec.of(LayerKind.RELU));
        }

        public Builder leakyrelu(double slope) {
            return layer(LayerSpec.of(LayerKind.LEAKYRELU, slope));
        }

        public Builder gelu() {
            return layer(LayerSpec.of(LayerKind.GELU));
        }

        public Builder tanh() {
            return layer(LayerSpec.of(LayerKind.TANH));
        }

        public Builder sigmoid() {
            return layer(LayerSpec.of(LayerKind.SIGMOID));
        }

        /** A residual block: {@code block}'s layers, whose output is added to their input. */
        public Builder add(java.util.function.Consumer<Builder> block) {
            Builder b = new Builder();
            block.accept(b);
            return layer(LayerSpec.add(b.layers));
        }

        /** The network, with a dense output of {@code outputs} units for {@code loss}; fails naming a bad layer. */
        public Network output(int outputs, Loss loss) {
            if (input == null) {
                throw new IllegalArgumentException("input: not given (expected: builder().input(dims...) first)");
            }
            return Network.of(input, layers, outputs, loss);
        }
    }
}
