package io.ringfold.optim;

/**
 * SGD with momentum, in PyTorch's formulation (so that users moving from it get the same numbers):
 * {@code v = mu v + g}, then {@code p -= lr v}, or with Nesterov {@code p -= lr (g + mu v)}.
 */
public final class Momentum implements Optimizer {

    private final float mu;
    private final boolean nesterov;
    private float[] velocity;
    private long steps;

    public Momentum(float momentum, boolean nesterov) {
        if (!(momentum > 0f && momentum < 1f)) {
            throw new IllegalArgumentException("momentum: " + momentum + " (expected: 0 < momentum < 1)");
        }
        this.mu = momentum;
        this.nesterov = nesterov;
    }

    @Override
    public String describe() {
        return "momentum(momentum=" + mu + ", nesterov=" + nesterov + ")";
    }

    @Override
    public void initialize(int parameterCount) {
        velocity = new float[parameterCount];
        steps = 0;
    }

    @Override
    public void step(float[] params, float[] grad, float learningRate, int[] ranges, int pairs) {
        float[] v = velocity;
        Optimizer.checkRanges(v == null ? -1 : v.length, params, grad, ranges, pairs);
        float m = mu;
        for (int k = 0; k < pairs; k++) {
            int from = ranges[2 * k];
            int to = ranges[2 * k + 1];
            if (nesterov) {
                for (int i = from; i < to; i++) {
                    float vi = m * v[i] + grad[i];
                    v[i] = vi;
                    params[i] -= learningRate * (grad[i] + m * vi);
                }
            } else {
                for (int i = from; i < to; i++) {
                    float vi = m * v[i] + grad[i];
                    v[i] = vi;
                    params[i] -= learningRate * vi;
                }
            }
        }
        steps++;
    }

    @Override
    public void reset() {
        if (velocity != null) {
            java.util.Arrays.fill(velocity, 0f);
        }
        steps = 0;
    }

    @Override
    public Optimizer copy() {
        Momentum c = new Momentum(mu, nesterov);
        c.velocity = velocity == null ? null : velocity.clone();
        c.steps = steps;
        return c;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public OptimizerState state() {
        return new OptimizerState("momentum", steps, new float[][] {velocity == null ? new float[0] : velocity});
    }

    @Override
    public void restore(OptimizerState state) {
        state.requireKind("momentum", 1);
        velocity = state.buffers()[0];
        steps = state.steps();
    }
}
