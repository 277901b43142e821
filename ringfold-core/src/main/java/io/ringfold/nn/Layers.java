package io.ringfold.nn;

import io.ringfold.random.SplitMix64;

import java.util.ArrayList;
import java.util.List;

/** The runtime layers of a network, and its initial parameters. */
final class Layers {

    /** Stream identifier for initialisation, so it never shares random numbers with shuffling. */
    static final long INIT_PURPOSE = 0x494e4954L;

    private Layers() {
    }

    static Layer[] build(List<Network.Node> nodes) {
        Layer[] out = new Layer[nodes.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = build(nodes.get(i));
        }
        return out;
    }

    static Layer build(Network.Node n) {
        return switch (n.spec().kind()) {
            case DENSE -> new DenseLayer(n);
            case RELU, LEAKYRELU, GELU, TANH, SIGMOID -> new ActivationLayer(n);
            case FLATTEN -> new FlattenLayer(n);
            case DROPOUT -> new DropoutLayer(n);
            case LAYERNORM -> new LayerNormLayer(n);
            case BATCHNORM -> new BatchNormLayer(n);
            case EMBEDDINGBAG -> new EmbeddingBagLayer(n);
            case CONV2D -> new Conv2dLayer(n);
            case MAXPOOL2D, AVGPOOL2D, GLOBALAVGPOOL -> new PoolLayer(n);
            case ADD -> new AddLayer(n, List.of(build(n.block())));
        };
    }

    /**
     * Parameters before training, from {@code seed}: each layer with parameters draws from its own stream (its
     * index among such layers), weights He uniform ({@code U(±sqrt(6/fanIn))}, He et al. 2015) when a
     * ReLU-like activation follows, Glorot uniform ({@code U(±sqrt(6/(fanIn+fanOut)))}) otherwise; biases zero;
     * normalisations' scales one. A network that is one dense layer (linear, logistic, softmax regression) is
     * convex and starts at zero. Dense networks get exactly the values they got before layers existed.
     */
    static float[] initialParameters(Network net, long seed) {
        return initialParameters(net, seed, 0, net.parameterCount());
    }

    /**
     * Entries {@code [offset, offset + count)} of {@link #initialParameters(Network, long)}, computed alone: a
     * pipeline stage initialises its layers without the whole vector. Each layer's stream and rule are those
     * of the whole network's initialisation, so the values are the same.
     */
    static float[] initialParameters(Network net, long seed, int offset, int count) {
        float[] p = new float[count];
        List<Network.Node> flat = new ArrayList<>();
        flatten(net.nodes(), flat);
        boolean convex = flat.stream().filter(n -> n.paramCount() > 0).count() == 1
                && net.hidden().stream().allMatch(s -> s.kind().isActivation() || s.kind() == LayerKind.FLATTEN);
        int index = 0;
        for (int i = 0; i < flat.size(); i++) {
            Network.Node n = flat.get(i);
            if (n.spec().kind() == LayerKind.ADD || n.paramCount() == 0) {
                continue;
            }
            Layer.InitRule rule = convex ? Layer.InitRule.ZERO
                    : i + 1 < flat.size() && reluLike(flat.get(i + 1).spec().kind()) ? Layer.InitRule.HE
                    : Layer.InitRule.GLOROT;
            if (n.paramOffset() >= offset && n.paramOffset() < offset + count) {
                Network.Node local = new Network.Node(n.where(), n.spec(), n.in(), n.out(), n.paramOffset() - offset,
                        n.paramCount(), List.of());
                build(local).initialize(p, SplitMix64.derive(seed, INIT_PURPOSE, index), rule);
            }
            index++;
        }
        return p;
    }

    private static boolean reluLike(LayerKind k) {
        return k == LayerKind.RELU || k == LayerKind.LEAKYRELU || k == LayerKind.GELU;
    }

    /** Nodes in execution order, a residual block's layers after its node. */
    private static void flatten(List<Network.Node> nodes, List<Network.Node> out) {
        for (Network.Node n : nodes) {
            out.add(n);
            flatten(n.block(), out);
        }
    }
}
