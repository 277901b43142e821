package io.ringfold.tensor.conv;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.PackedMatrix;

/**
 * The convolution of predictions, batch invariant: an example's outputs have the same bits whatever rows
 * are computed with it, wherever it sits in the batch, and on every {@link Blas}. Each example is one
 * product {@code patches[N, K] · Wᵀ[K, F]} on {@link Blas#sgemmRowInvariant}, whose arithmetic per element
 * depends on K alone, with the weights packed once ({@link #packWeights}); the bias is added after, as
 * {@link Convolution#forward} adds it. On {@code VectorBlas} the two therefore give the same bits.
 *
 * <p>Layout as {@link Convolution}. The workspace holds one example, so any number of rows can be computed;
 * not thread-safe: one instance per thread (the packed weights can be shared).
 */
public final class InvariantConvolution {

    private final ConvGeometry g;
    /** One example's patch rows {@code [N, K]}. */
    private final float[] patches;
    /** One example's output by position {@code [N, F]}, before it is transposed into y. */
    private final float[] byPosition;

    public InvariantConvolution(ConvGeometry geometry) {
        this.g = geometry;
        this.patches = new float[Convolution.checkedSize("patch rows", (long) geometry.outPositions() * geometry.patchSize())];
        this.byPosition = new float[geometry.outputSize()];
    }

    public ConvGeometry geometry() {
        return g;
    }

    /** The weights of {@code params[paramOff..)} as the {@code K × F} matrix {@code Wᵀ}, packed for {@link #forward}; once per model. */
    public static PackedMatrix packWeights(ConvGeometry g, float[] params, int paramOff) {
        ConvArguments.check("params", params, paramOff, 1, g.parameterCount());
        int k = g.patchSize();
        int f = g.filters();
        float[] transposed = new float[k * f];
        for (int filter = 0; filter < f; filter++) {
            for (int t = 0; t < k; t++) {
                transposed[t * f + filter] = params[paramOff + filter * k + t];
            }
        }
        return PackedMatrix.of(k, f, transposed, 0, f);
    }

    /**
     * {@code y = conv(x, W) + b} for {@code rows} examples, y overwritten, with {@code weights} from
     * {@link #packWeights} and the biases from {@code params[paramOff + weightCount ..)}.
     */
    public void forward(Blas blas, int rows, float[] x, int xOff, PackedMatrix weights, float[] params, int paramOff,
                        float[] y, int yOff) {
        if (rows < 0) {
            throw new IllegalArgumentException("forward: rows: " + rows + " (expected: >= 0)");
        }
        int k = g.patchSize();
        int n = g.outPositions();
        int f = g.filters();
        if (weights.rows() != k || weights.cols() != f) {
            throw new IllegalArgumentException("weights: " + weights.rows() + "x" + weights.cols() + " (expected: "
                    + k + "x" + f + ", from packWeights)");
        }
        ConvArguments.check("x", x, xOff, rows, g.inputSize());
        ConvArguments.check("params", params, paramOff, 1, g.parameterCount());
        ConvArguments.check("y", y, yOff, rows, g.outputSize());
        int biasOff = paramOff + g.weightCount();
        for (int r = 0; r < rows; r++) {
            Im2col.patchRows(g, x, xOff + r * g.inputSize(), patches, 0, k);
            blas.sgemmRowInvariant(n, patches, 0, k, weights, byPosition, 0, f);
            int out = yOff + r * g.outputSize();
            for (int filter = 0; filter < f; filter++) {
                float b = params[biasOff + filter];
                int dst = out + filter * n;
                for (int q = 0; q < n; q++) {
                    y[dst + q] = byPosition[q * f + filter] + b;
                }
            }
        }
    }
}
