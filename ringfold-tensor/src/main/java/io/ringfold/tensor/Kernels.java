package io.ringfold.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Element-wise and row-wise kernels over {@code float[]} ranges: activations and their derivatives,
 * bias addition, numerically stable softmax and log-sum-exp, reductions. The hottest (bias, column
 * sums, ReLU gradient) use the Vector API, element for element the same arithmetic as their scalar tails; the
 * rest are plain indexed loops, which HotSpot auto-vectorises where it can. Transcendental functions use
 * {@link Math} (see the note on platform dependence in the model provenance).
 */
public final class Kernels {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private Kernels() {
    }

    /** {@code x[r, :] += bias} for each of the {@code rows} rows of width {@code cols}. */
    public static void addRowVector(float[] x, int rows, int cols, float[] bias) {
        int bound = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            int c = 0;
            for (; c < bound; c += L) {
                FloatVector.fromArray(S, x, base + c).add(FloatVector.fromArray(S, bias, c)).intoArray(x, base + c);
            }
            for (; c < cols; c++) {
                x[base + c] += bias[c];
            }
        }
    }

    /**
     * {@code out[c] = sum over rows of x[r, c]} (out overwritten), accumulating row by row in order. Lanes
     * are columns, so each column sees the same additions in the same order as a scalar loop: the result
     * is deterministic and independent of the vector width.
     */
    public static void sumColumns(float[] x, int rows, int cols, float[] out) {
        java.util.Arrays.fill(out, 0, cols, 0f);
        int bound = S.loopBound(cols);
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            int c = 0;
            for (; c < bound; c += L) {
                FloatVector.fromArray(S, out, c).add(FloatVector.fromArray(S, x, base + c)).intoArray(out, c);
            }
            for (; c < cols; c++) {
                out[c] += x[base + c];
            }
        }
    }

    /**
     * {@code x = max(x, 0)} with {@link Math#max} semantics: NaN stays NaN, -0 becomes +0. Left scalar:
     * HotSpot auto-vectorises this loop, and a Vector API version measured the same (bench/RESULTS.md).
     */
    public static void relu(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            x[i] = Math.max(x[i], 0f);
        }
    }

    /** {@code grad *= (activated > 0)}, given the layer's output after ReLU (NaN activations keep grad). */
    public static void reluBackward(float[] activated, float[] grad, int n) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            VectorMask<Float> dead = FloatVector.fromArray(S, activated, i).compare(VectorOperators.LE, 0f);
            FloatVector.fromArray(S, grad, i).blend(0f, dead).intoArray(grad, i);
        }
        for (; i < n; i++) {
            if (activated[i] <= 0f) {
                grad[i] = 0f;
            }
        }
    }

    public static void tanh(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.tanh(x[i]);
        }
    }

    /** {@code grad *= 1 - y²}, given y = tanh(z). */
    public static void tanhBackward(float[] activated, float[] grad, int n) {
        for (int i = 0; i < n; i++) {
            float y = activated[i];
            grad[i] *= 1f - y * y;
        }
    }

    /** Logistic sigmoid, in the form that never overflows: exp is only taken of a non-positive number. */
    public static void sigmoid(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            x[i] = sigmoid(x[i]);
        }
    }

    public static float sigmoid(float z) {
        if (z >= 0f) {
            return (float) (1.0 / (1.0 + Math.exp(-z)));
        }
        double e = Math.exp(z);
        return (float) (e / (1.0 + e));
    }

    /** {@code grad *= y (1 - y)}, given y = sigmoid(z). */
    public static void sigmoidBackward(float[] activated, float[] grad, int n) {
        for (int i = 0; i < n; i++) {
            float y = activated[i];
            grad[i] *= y * (1f - y);
        }
    }

    /**
     * {@code log(sum(exp(x[off..off+n))))} computed as {@code max + log(sum(exp(x - max)))}, in double,
     * so it neither overflows for large logits nor loses the small terms.
     */
    public static double logSumExp(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += Math.exp(x[off + i] - max);
        }
        return max + Math.log(s);
    }

    /** Softmax of each row in place, max-shifted so that exp never overflows. */
    public static void softmaxRows(float[] x, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[base + c]);
            }
            double s = 0;
            for (int c = 0; c < cols; c++) {
                float e = (float) Math.exp(x[base + c] - max);
                x[base + c] = e;
                s += e;
            }
            float inv = (float) (1.0 / s);
            for (int c = 0; c < cols; c++) {
                x[base + c] *= inv;
            }
        }
    }

    /** {@code log(1 + exp(z))} without overflow for large z or loss of precision for very negative z. */
    public static double softplus(double z) {
        return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    }

    /** Sum in double: reductions feed metrics and losses, where float accumulation drifts on large n. */
    public static double sum(float[] x, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += x[off + i];
        }
        return s;
    }

    /** Index of the largest element of x[off..off+n); the first one on ties. */
    public static int argmax(float[] x, int off, int n) {
        int best = 0;
        float bv = x[off];
        for (int i = 1; i < n; i++) {
            if (x[off + i] > bv) {
                bv = x[off + i];
                best = i;
            }
        }
        return best;
    }

    public static void scale(float[] x, int n, float alpha) {
        for (int i = 0; i < n; i++) {
            x[i] *= alpha;
        }
    }

    /** 256-bit lanes for {@link #maxAbs}, as it had when it lived in the trainer (measured there, not changed). */
    private static final VectorSpecies<Float> S256 = FloatVector.SPECIES_256;

    /**
     * The largest magnitude in {@code g}; MAX is order-independent, so lanes and accumulators give the
     * scalar loop's answer. NaN propagates. Four accumulators, because with one each max waits for the
     * previous: 6.1 µs against 16.3 for a 407 KB gradient on this project's VM ({@code MaxAbsBenchmark} in
     * ringfold-bench, bench/RESULTS.md). The exact data-parallel trainer takes one per shard per step.
     */
    public static float maxAbs(float[] g) {
        int n = g.length;
        int step = S256.length();
        int i = 0;
        int upper4 = n - n % (4 * step);
        FloatVector m0 = FloatVector.zero(S256);
        FloatVector m1 = m0;
        FloatVector m2 = m0;
        FloatVector m3 = m0;
        for (; i < upper4; i += 4 * step) {
            m0 = m0.max(FloatVector.fromArray(S256, g, i).abs());
            m1 = m1.max(FloatVector.fromArray(S256, g, i + step).abs());
            m2 = m2.max(FloatVector.fromArray(S256, g, i + 2 * step).abs());
            m3 = m3.max(FloatVector.fromArray(S256, g, i + 3 * step).abs());
        }
        int upper = S256.loopBound(n);
        for (; i < upper; i += step) {
            m0 = m0.max(FloatVector.fromArray(S256, g, i).abs());
        }
        float r = m0.max(m1).max(m2.max(m3)).reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            r = Math.max(r, Math.abs(g[i]));
        }
        return r;
    }

    /** True when every element of x[0..n) is finite (no NaN, no infinity). */
    public static boolean allFinite(float[] x, int n) {
        for (int i = 0; i < n; i++) {
            if (!Float.isFinite(x[i])) {
                return false;
            }
        }
        return true;
    }
}
