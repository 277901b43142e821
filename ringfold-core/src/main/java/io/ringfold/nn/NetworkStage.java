package io.ringfold.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A contiguous run of a network's layers, {@code nodes()[from, to)}: one stage of a pipeline. It holds only
 * its own layers' parameters, in a vector of its own ({@link #parameterCount()} entries; entry {@code i} is
 * the network's entry {@code parameterOffset() + i}), and its layers compute exactly what they compute inside
 * the whole network: same kernels, same shapes, same dropout masks (which depend on the layer's position in
 * the network, kept here). So a pipeline of stages gives, shard by shard, the bits of the whole network.
 */
public final class NetworkStage {

    private final Network net;
    private final int from;
    private final int to;
    private final List<Network.Node> nodes;
    private final int offset;
    private final int count;

    private NetworkStage(Network net, int from, int to) {
        this.net = net;
        this.from = from;
        this.to = to;
        List<Network.Node> all = net.nodes();
        this.offset = all.get(from).paramOffset();
        int end = to == all.size() ? net.parameterCount() : all.get(to).paramOffset();
        this.count = end - offset;
        List<Network.Node> rebased = new ArrayList<>();
        for (int i = from; i < to; i++) {
            rebased.add(rebase(all.get(i), offset));
        }
        this.nodes = List.copyOf(rebased);
    }

    /** Layers {@code [from, to)} of {@code net}'s {@link Network#nodes()} (the output layer is the last node). */
    public static NetworkStage of(Network net, int from, int to) {
        int layers = net.nodes().size();
        if (from < 0 || to > layers || from >= to) {
            throw new IllegalArgumentException("stage layers: [" + from + ", " + to + ") (expected: a non-empty range "
                    + "within the network's " + layers + " layers, output layer included)");
        }
        return new NetworkStage(net, from, to);
    }

    /** The node with its parameter offsets moved down by {@code base}, its block's with it. */
    private static Network.Node rebase(Network.Node n, int base) {
        List<Network.Node> block = new ArrayList<>();
        for (Network.Node b : n.block()) {
            block.add(rebase(b, base));
        }
        return new Network.Node(n.where(), n.spec(), n.in(), n.out(), n.paramOffset() - base, n.paramCount(),
                List.copyOf(block));
    }

    public Network network() {
        return net;
    }

    /** Index of the stage's first layer in {@link Network#nodes()}. */
    public int from() {
        return from;
    }

    /** Index after the stage's last layer. */
    public int to() {
        return to;
    }

    /** Whether the stage reads the data (its first layer is the network's first). */
    public boolean isFirst() {
        return from == 0;
    }

    /** Whether the stage ends with the output layer and so computes the loss. */
    public boolean isLast() {
        return to == net.nodes().size();
    }

    /** Where the stage's parameters begin in the whole network's vector. */
    public int parameterOffset() {
        return offset;
    }

    public int parameterCount() {
        return count;
    }

    /** Values of one example's input to the stage. */
    public int inputWidth() {
        return nodes.get(0).in().size();
    }

    /** Values of one example's output of the stage (logits for the last stage). */
    public int outputWidth() {
        return nodes.get(nodes.size() - 1).out().size();
    }

    /** The stage's nodes, parameter offsets relative to the stage's own vector. */
    List<Network.Node> nodes() {
        return nodes;
    }

    /** The stage's part of {@link Network#initialParameters(long)}, without building the whole vector. */
    public float[] initialParameters(long seed) {
        return Layers.initialParameters(net, seed, offset, count);
    }

    /** The stage's part of {@link Network#weightMask()}. */
    public boolean[] weightMask() {
        return Arrays.copyOfRange(net.weightMask(), offset, offset + count);
    }

    /** The stage's part of {@link Network#bufferMask()}, or null when the stage has no buffer. */
    public boolean[] bufferMask() {
        boolean[] mask = Arrays.copyOfRange(net.bufferMask(), offset, offset + count);
        for (boolean b : mask) {
            if (b) {
                return mask;
            }
        }
        return null;
    }

    /** The stage's part of {@link Network#bufferMomentum()}. */
    public float[] bufferMomentum() {
        return Arrays.copyOfRange(net.bufferMomentum(), offset, offset + count);
    }

    /** Sparse updates of the stage's embedding tables, or null without one. */
    public LazyRows lazyRows() {
        return LazyRows.of(nodes);
    }

    /** Buffers for one shard's pass through the stage, of up to {@code maxRows} rows. */
    public StagePass newPass(int maxRows) {
        return new StagePass(this, maxRows);
    }

    /** {@code layers[4..6] (dense(500), relu, output dense(10); 5010 parameters)}: for logs. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Network.Node n : nodes) {
            parts.add(n.label());
        }
        return "layers " + from + ".." + (to - 1) + " (" + String.join(", ", parts) + "; " + count + " parameters)";
    }

    /**
     * Each layer's cost for balancing stages: its parameters and its multiply-adds per example (a residual
     * block's inner layers included), as {@code [parameters, macs]} per node of {@link Network#nodes()}.
     */
    public static long[][] layerCosts(Network net) {
        List<Network.Node> all = net.nodes();
        long[][] costs = new long[all.size()][];
        for (int i = 0; i < costs.length; i++) {
            long[] macs = {0};
            Network.forEachNode(List.of(all.get(i)), n -> macs[0] += Shapes.macs(n.spec(), n.in(), n.out()));
            costs[i] = new long[] {all.get(i).paramCount(), macs[0]};
        }
        return costs;
    }

    @Override
    public String toString() {
        return describe();
    }
}
