package io.ringfold.nn;

import io.ringfold.optim.Optimizer;

import java.util.ArrayList;
import java.util.List;

/**
 * Sparse updates of embedding tables: an optimizer step leaves alone the entries of an {@code embeddingbag} table
 * whose gradient is exactly zero (the rows of tokens no example of the step used, in the main), as PyTorch's
 * {@code SparseAdam} and TensorFlow's lazy Adam leave unused rows; everything else is updated as usual. An unused
 * token's embedding and moments stay as they were, and a step's update costs the entries a batch touched. The
 * choice is made entry by entry from the gradient after the exact sum, which every worker holds alike, so it
 * does not depend on the worker count or on where the workers' slices of the vector begin.
 * Not thread-safe: one per optimizer.
 */
public final class LazyRows {

    /** Per table: offset of its first parameter and its size. */
    private final int[][] tables;
    private int[] ranges = new int[64];

    private LazyRows(List<int[]> tables) {
        this.tables = tables.toArray(new int[0][]);
    }

    /** For a network with embedding tables, else null (every step updates everything). */
    public static LazyRows of(Network net) {
        return of(net.nodes());
    }

    /** For these nodes' embedding tables (offsets as the nodes give them), else null. */
    static LazyRows of(List<Network.Node> nodes) {
        List<int[]> tables = new ArrayList<>();
        collect(nodes, tables);
        return tables.isEmpty() ? null : new LazyRows(tables);
    }

    private static void collect(List<Network.Node> nodes, List<int[]> out) {
        for (Network.Node n : nodes) {
            if (n.spec().kind() == LayerKind.EMBEDDINGBAG) {
                out.add(new int[] {n.paramOffset(), n.paramCount()});
            }
            collect(n.block(), out);
        }
    }

    /**
     * One optimizer step over {@code [lo, hi)} of {@code params}, skipping the table entries whose gradient is
     * zero; {@code grad} is the step's mean gradient, to which this adds the weight decay ({@code decay} times the
     * weight where {@code decayMask} marks one; null: none) of the entries it updates.
     */
    public void step(Optimizer optimizer, float[] params, float[] grad, boolean[] decayMask, float decay,
                     float learningRate, int lo, int hi) {
        int pairs = 0;
        int start = lo;
        for (int[] t : tables) {
            int a = Math.max(lo, t[0]);
            int b = Math.min(hi, t[0] + t[1]);
            for (int i = a; i < b; i++) {
                if (grad[i] == 0f) {
                    if (i > start) {
                        pairs = add(pairs, start, i);
                    }
                    start = i + 1;
                }
            }
        }
        if (hi > start) {
            pairs = add(pairs, start, hi);
        }
        if (decayMask != null && decay != 0f) {
            for (int k = 0; k < pairs; k++) {
                for (int i = ranges[2 * k]; i < ranges[2 * k + 1]; i++) {
                    if (decayMask[i]) {
                        grad[i] += decay * params[i];
                    }
                }
            }
        }
        optimizer.step(params, grad, learningRate, ranges, pairs);
    }

    private int add(int pairs, int from, int to) {
        if (2 * pairs + 2 > ranges.length) {
            ranges = java.util.Arrays.copyOf(ranges, 2 * ranges.length);
        }
        ranges[2 * pairs] = from;
        ranges[2 * pairs + 1] = to;
        return pairs + 1;
    }
}
