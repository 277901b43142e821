package io.ringfold.nn;

import io.ringfold.random.SplitMix64;

/**
 * A network's {@code embeddingbag} table seen from outside the flat parameter vector, for trainers that keep
 * the table apart from the other parameters (split by rows over workers): its size, the initial values of any
 * range of its rows, and the same network over a smaller vocabulary. The table is the first layer's, so it
 * starts the parameter vector and every other parameter ("the rest") follows it in the same order whatever the
 * vocabulary: a network over {@code k} tokens has the rest at {@code k * dim} with the same values, kernels and
 * gradients. Immutable.
 */
public final class EmbeddingTable {

    private final Network net;
    private final int rows;
    private final int dim;
    private final boolean mean;

    private EmbeddingTable(Network net, Network.Node node) {
        this.net = net;
        this.rows = node.in().size();
        this.dim = node.spec().intValue("dim");
        this.mean = node.spec().word("mode").equals("mean");
    }

    /** The table of {@code net}'s first layer, or null when that layer is not an {@code embeddingbag}. */
    public static EmbeddingTable of(Network net) {
        Network.Node first = net.nodes().get(0);
        return first.spec().kind() == LayerKind.EMBEDDINGBAG ? new EmbeddingTable(net, first) : null;
    }

    /** The vocabulary: rows of the table. */
    public int rows() {
        return rows;
    }

    /** Values per row. */
    public int dim() {
        return dim;
    }

    /** Whether the layer averages its tokens' rows (else sums them). */
    public boolean mean() {
        return mean;
    }

    /** The label messages name the layer by: {@code layers[0] embeddingbag(16,mode=mean)}. */
    public String label() {
        return net.nodes().get(0).label();
    }

    /** Parameters outside the table: the full vector's length less {@code rows * dim}. */
    public int restCount() {
        return net.parameterCount() - rows * dim;
    }

    /**
     * The same layers over a vocabulary of {@code tokens}: its parameters are a {@code tokens x dim} table then the
     * rest, laid out, initialised and computed as in the full network.
     */
    public Network withRows(int tokens) {
        return Network.of(Shape.vector(tokens), net.hidden(), net.outputs(), net.loss());
    }

    /** Rows {@code [from, to)} of the initial table of {@code seed} ({@link Network#initialParameters}), into {@code out[at..]}. */
    public void initialRows(long seed, int from, int to, float[] out, int at) {
        if (from < 0 || to > rows || from > to) {
            throw new IllegalArgumentException("table rows: [" + from + ", " + to + ") (expected: within [0, " + rows
                    + "))");
        }
        // The table is the first layer with parameters: stream 0 (see Layers.initialParameters).
        EmbeddingBagLayer.initialRows(SplitMix64.derive(seed, Layers.INIT_PURPOSE, 0), dim, from, to, out, at);
    }

    /** The initial parameters of {@code seed} outside the table, without making the table. */
    public float[] initialRest(long seed) {
        float[] one = withRows(1).initialParameters(seed);
        return java.util.Arrays.copyOfRange(one, dim, one.length);
    }

}
