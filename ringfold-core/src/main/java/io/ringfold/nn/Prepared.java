package io.ringfold.nn;

/**
 * What the prediction pass needs beyond the parameters, derived from them once: each layer's weights packed
 * for the batch-invariant product. A model keeps one; it costs about the weights' size again.
 */
public final class Prepared {

    private final Network network;
    private final Object[] layers;

    private Prepared(Network network, Object[] layers) {
        this.network = network;
        this.layers = layers;
    }

    public static Prepared of(Network network, float[] params) {
        if (params.length != network.parameterCount()) {
            throw new IllegalArgumentException("parameters: " + params.length + " (expected: "
                    + network.parameterCount() + " for " + network.describe() + ")");
        }
        Layer[] built = Layers.build(network.nodes());
        Object[] prepared = new Object[built.length];
        for (int i = 0; i < built.length; i++) {
            prepared[i] = built[i].prepare(params);
        }
        return new Prepared(network, prepared);
    }

    Network network() {
        return network;
    }

    Object[] layers() {
        return layers;
    }
}
