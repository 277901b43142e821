package io.ringfold.optim;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Adam (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015), with the update
 * arranged as in PyTorch's implementation:
 * {@code m = b1 m + (1-b1) g; v = b2 v + (1-b2) g²;}
 * {@code p -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)}.
 * The bias corrections are computed in double once per step; the per-element work is float.
 */
public final class Adam implements Optimizer {

    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private float[] m;
    private float[] v;
    private long steps;

    public Adam(float beta1, float beta2, float epsilon) {
        if (!(beta1 >= 0f && beta1 < 1f)) {
            throw new IllegalArgumentException("beta1: " + beta1 + " (expected: 0 <= beta1 < 1)");
        }
        if (!(beta2 >= 0f && beta2 < 1f)) {
            throw new IllegalArgumentException("beta2: " + beta2 + " (expected: 0 <= beta2 < 1)");
        }
        if (!(epsilon > 0f)) {
            throw new IllegalArgumentException("epsilon: " + epsilon + " (expected: > 0)");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    public String describe() {
        return "adam(beta1=" + beta1 + ", beta2=" + beta2 + ", eps=" + epsilon + ")";
    }

    @Override
    public void initialize(int parameterCount) {
        m = new float[parameterCount];
        v = new float[parameterCount];
        steps = 0;
    }

    @Override
    public void step(float[] params, float[] grad, float learningRate, int[] ranges, int pairs) {
        Optimizer.checkRanges(m == null ? -1 : m.length, params, grad, ranges, pairs);
        long t = steps + 1;
        double bc1 = 1.0 - Math.pow(beta1, t);
        double bc2 = 1.0 - Math.pow(beta2, t);
        float stepSize = (float) (learningRate / bc1);
        float invSqrtBc2 = (float) (1.0 / Math.sqrt(bc2));
        for (int k = 0; k < pairs; k++) {
            update(params, grad, ranges[2 * k], ranges[2 * k + 1], stepSize, invSqrtBc2);
        }
        steps = t;
    }

    private void update(float[] params, float[] grad, int from, int to, float stepSize, float invSqrtBc2) {
        float[] m1 = m;
        float[] m2 = v;
        float b1 = beta1;
        float b2 = beta2;
        float c1 = 1f - b1;
        float c2 = 1f - b2;
        float eps = epsilon;
        // Vector lanes do exactly the scalar loop's operations in the same order (no fused multiply-add),
        // so the result is bit-identical whatever the vector width, and to the scalar reference.
        int i = from;
        int upper = from + SPECIES.loopBound(to - from);
        FloatVector vb1 = FloatVector.broadcast(SPECIES, b1);
        FloatVector vb2 = FloatVector.broadcast(SPECIES, b2);
        FloatVector vc1 = FloatVector.broadcast(SPECIES, c1);
        FloatVector vc2 = FloatVector.broadcast(SPECIES, c2);
        FloatVector vStep = FloatVector.broadcast(SPECIES, stepSize);
        FloatVector vInv = FloatVector.broadcast(SPECIES, invSqrtBc2);
        FloatVector vEps = FloatVector.broadcast(SPECIES, eps);
        for (; i < upper; i += SPECIES.length()) {
            FloatVector g = FloatVector.fromArray(SPECIES, grad, i);
            FloatVector mi = vb1.mul(FloatVector.fromArray(SPECIES, m1, i)).add(vc1.mul(g));
            FloatVector vi = vb2.mul(FloatVector.fromArray(SPECIES, m2, i)).add(vc2.mul(g).mul(g));
            mi.intoArray(m1, i);
            vi.intoArray(m2, i);
            FloatVector p = FloatVector.fromArray(SPECIES, params, i);
            p.sub(vStep.mul(mi).div(vi.sqrt().mul(vInv).add(vEps))).intoArray(params, i);
        }
        for (; i < to; i++) {
            float g = grad[i];
            float mi = b1 * m1[i] + c1 * g;
            float vi = b2 * m2[i] + c2 * g * g;
            m1[i] = mi;
            m2[i] = vi;
            params[i] -= stepSize * mi / ((float) Math.sqrt(vi) * invSqrtBc2 + eps);
        }
    }

    @Override
    public void reset() {
        if (m != null) {
            java.util.Arrays.fill(m, 0f);
            java.util.Arrays.fill(v, 0f);
        }
        steps = 0;
    }

    @Override
    public Optimizer copy() {
        Adam c = new Adam(beta1, beta2, epsilon);
        c.m = m == null ? null : m.clone();
        c.v = v == null ? null : v.clone();
        c.steps = steps;
        return c;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public OptimizerState state() {
        return new OptimizerState("adam", steps, new float[][] {
                m == null ? new float[0] : m, v == null ? new float[0] : v});
    }

    @Override
    public void restore(OptimizerState state) {
        state.requireKind("adam", 2);
        float[][] b = state.buffers();
        m = b[0];
        v = b[1];
        steps = state.steps();
    }
}
