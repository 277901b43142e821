package io.ringfold.tensor.conv;

import io.ringfold.tensor.Blas;

/**
 * The training kernels of a 2-D convolution over a batch, as matrix products on a {@link Blas} (im2col +
 * SGEMM). Layout (docs/blas.md, "Convolution"): x {@code [rows, C, H, W]}, y {@code [rows, F, OH, OW]},
 * each example row-major and back to back from its offset; the layer's parameters are
 * {@code [F, C, kh, kw]} weights then {@code F} biases from {@code paramOff} of the flat array, and its
 * gradient has the same layout.
 *
 * <p>{@link #forward} keeps the im2col columns of its rows (PyTorch's "saved for backward"), and
 * {@link #backward} differentiates that forward pass: the weight and bias gradients of the SUM of the rows'
 * losses, and dx unless it is not wanted (the first layer). Per example, the forward product is
 * {@code W[F, K] · cols[K, N]} ({@code K = C·kh·kw}, {@code N = OH·OW}), which writes the example's output in
 * place; dx is {@code Wᵀ · dy} then col2im. The weight gradient is one product over all the rows,
 * {@code cols[K+1, rows·N] · dyᵀ[rows·N, F]}, whose extra row of ones gives the bias gradient. These
 * operand roles measured fastest on LeNet's shapes (docs/blas.md, "Convolution").
 *
 * <p>Determinism: every product is one {@code sgemm} call whose shape depends on the geometry and the row
 * count alone, and everything else runs in a fixed order on the calling thread; so a shard's results have
 * the same bits whatever else the instance computed before, and whatever the BLAS's thread count where
 * the BLAS promises that ({@code VectorBlas}; OpenBLAS for a fixed thread count).
 *
 * <p>Workspaces are sized for {@code maxRows} rows at construction; no call allocates. Not thread-safe:
 * one instance per layer and worker thread.
 */
public final class Convolution {

    private final ConvGeometry g;
    private final int maxRows;
    /** im2col of the last forward pass: row t (a tap; row K all ones), column {@code n·N + position}, row stride {@code rows·N}. */
    private final float[] columns;
    /** dy of the rows by filter, {@code [F, rows·N]}: the weight gradient's right operand (transposed). */
    private final float[] dyByFilter;
    /** The weight gradient transposed, {@code [K+1, F]}, its last row the bias gradient. */
    private final float[] gradT;
    /** One example's column gradient {@code [K, N]}, before col2im. */
    private final float[] dcols;
    /** Rows the columns hold; -1 before the first forward pass. */
    private int forwardRows = -1;

    public Convolution(ConvGeometry geometry, int maxRows) {
        ConvArguments.requirePositive("maxRows", maxRows);
        this.g = geometry;
        this.maxRows = maxRows;
        int k = geometry.patchSize();
        int n = geometry.outPositions();
        this.columns = new float[checkedSize("columns", (long) (k + 1) * n * maxRows)];
        this.dyByFilter = new float[checkedSize("dy by filter", (long) n * geometry.filters() * maxRows)];
        this.gradT = new float[(k + 1) * geometry.filters()];
        this.dcols = new float[k * n];
    }

    public ConvGeometry geometry() {
        return g;
    }

    public int maxRows() {
        return maxRows;
    }

    /**
     * {@code y = conv(x, W) + b} for {@code rows} examples, y overwritten; keeps the columns for
     * {@link #backward}.
     */
    public void forward(Blas blas, int rows, float[] x, int xOff, float[] params, int paramOff, float[] y, int yOff) {
        ConvArguments.checkRows("forward", rows, maxRows);
        ConvArguments.check("x", x, xOff, rows, g.inputSize());
        ConvArguments.check("params", params, paramOff, 1, g.parameterCount());
        ConvArguments.check("y", y, yOff, rows, g.outputSize());
        int k = g.patchSize();
        int n = g.outPositions();
        int f = g.filters();
        int ld = rows * n;
        forwardRows = -1;
        for (int r = 0; r < rows; r++) {
            Im2col.columns(g, x, xOff + r * g.inputSize(), columns, r * n, ld);
            int out = yOff + r * g.outputSize();
            blas.sgemm(false, false, f, n, k, 1f, params, paramOff, k, columns, r * n, ld, 0f, y, out, n);
            addBias(y, out, f, n, params, paramOff + g.weightCount());
        }
        java.util.Arrays.fill(columns, k * ld, (k + 1) * ld, 1f);
        forwardRows = rows;
    }

    /**
     * Gradients of the SUM of the losses of the last {@link #forward} pass's rows, given
     * {@code dy = dLoss/dy}: weights and biases overwritten in {@code grad[gradOff..gradOff + parameterCount)}
     * (unless {@code grad} is null: then dx only) and, unless {@code dx} is null, {@code dx = dLoss/dx}
     * overwritten. {@code params} must hold the weights
     * of that forward pass.
     *
     * @throws IllegalStateException when no forward pass of {@code rows} rows preceded
     */
    public void backward(Blas blas, int rows, float[] dy, int dyOff, float[] params, int paramOff, float[] grad,
                         int gradOff, float[] dx, int dxOff) {
        ConvArguments.checkForwardRows(rows, forwardRows);
        ConvArguments.check("dy", dy, dyOff, rows, g.outputSize());
        ConvArguments.check("params", params, paramOff, 1, g.parameterCount());
        if (grad != null) {
            ConvArguments.check("grad", grad, gradOff, 1, g.parameterCount());
        }
        if (dx != null) {
            ConvArguments.check("dx", dx, dxOff, rows, g.inputSize());
        }
        int k = g.patchSize();
        int n = g.outPositions();
        int f = g.filters();
        if (rows == 0) {
            if (grad != null) {
                java.util.Arrays.fill(grad, gradOff, gradOff + g.parameterCount(), 0f);
            }
            return;
        }
        if (grad == null) {
            inputGradient(blas, rows, dy, dyOff, params, paramOff, dx, dxOff);
            return;
        }
        int ld = rows * n;
        // dy's rows side by side per filter, [F, rows·N] like the columns; the product transposes it as it packs.
        for (int r = 0; r < rows; r++) {
            for (int filter = 0; filter < f; filter++) {
                System.arraycopy(dy, dyOff + (r * f + filter) * n, dyByFilter, filter * ld + r * n, n);
            }
        }
        blas.sgemm(false, true, k + 1, f, ld, 1f, columns, 0, ld, dyByFilter, 0, ld, 0f, gradT, 0, f);
        for (int filter = 0; filter < f; filter++) {
            int dst = gradOff + filter * k;
            for (int t = 0; t < k; t++) {
                grad[dst + t] = gradT[t * f + filter];
            }
            grad[gradOff + g.weightCount() + filter] = gradT[k * f + filter];
        }
        inputGradient(blas, rows, dy, dyOff, params, paramOff, dx, dxOff);
    }

    /** {@code dx = col2im(Wᵀ · dy)} per example, overwritten; nothing when dx is null. */
    private void inputGradient(Blas blas, int rows, float[] dy, int dyOff, float[] params, int paramOff, float[] dx,
                               int dxOff) {
        if (dx == null) {
            return;
        }
        int k = g.patchSize();
        int n = g.outPositions();
        int f = g.filters();
        for (int r = 0; r < rows; r++) {
            blas.sgemm(true, false, k, n, f, 1f, params, paramOff, k, dy, dyOff + r * g.outputSize(), n, 0f, dcols, 0, n);
            Im2col.addColumns(g, dcols, 0, n, dx, dxOff + r * g.inputSize());
        }
    }

    /**
     * Adds to {@code normSquares[r]} the squared L2 norm of example r's own gradient of the weights and biases
     * (for the last {@link #forward} pass's rows and {@code dy}): the per-example product
     * {@code cols_r[K+1, N] · dy_rᵀ[N, F]}, whose extra row of ones gives the bias gradient. One product per
     * example of the size of the batch's weight gradient split by rows, so about the cost of that gradient;
     * the alternative "ghost norm" from the Gram matrices of the columns and of dy costs {@code N²(K + F)} per
     * example, more than this for every layer of LeNet. For DP-SGD's per-example clipping.
     */
    public void exampleGradientNormSquares(Blas blas, int rows, float[] dy, int dyOff, double[] normSquares) {
        ConvArguments.checkForwardRows(rows, forwardRows);
        ConvArguments.check("dy", dy, dyOff, rows, g.outputSize());
        int k = g.patchSize();
        int n = g.outPositions();
        int f = g.filters();
        int ld = rows * n;
        for (int r = 0; r < rows; r++) {
            blas.sgemm(false, true, k + 1, f, n, 1f, columns, r * n, ld, dy, dyOff + r * g.outputSize(), n, 0f, gradT,
                    0, f);
            double sq = 0;
            for (int i = 0; i < (k + 1) * f; i++) {
                sq += (double) gradT[i] * gradT[i];
            }
            normSquares[r] += sq;
        }
    }

    /** {@code y[f, :] += b[f]} over one example's {@code [F, N]} output: one rounded addition per element. */
    static void addBias(float[] y, int yOff, int filters, int n, float[] params, int biasOff) {
        for (int f = 0; f < filters; f++) {
            float b = params[biasOff + f];
            int base = yOff + f * n;
            for (int i = 0; i < n; i++) {
                y[base + i] += b;
            }
        }
    }

    static int checkedSize(String what, long elements) {
        if (elements > ConvGeometry.MAX_ELEMENTS) {
            throw new IllegalArgumentException(what + ": " + elements + " elements (expected: at most "
                    + ConvGeometry.MAX_ELEMENTS + "; use fewer rows)");
        }
        return (int) elements;
    }
}
