package io.ringfold.optim;

/** Plain stochastic gradient descent: {@code p -= lr * g}. Stateless but for the step count. */
public final class Sgd implements Optimizer {

    private int size = -1;
    private long steps;

    @Override
    public String describe() {
        return "sgd";
    }

    @Override
    public void initialize(int parameterCount) {
        size = parameterCount;
        steps = 0;
    }

    @Override
    public void step(float[] params, float[] grad, float learningRate, int[] ranges, int pairs) {
        Optimizer.checkRanges(size, params, grad, ranges, pairs);
        for (int k = 0; k < pairs; k++) {
            for (int i = ranges[2 * k]; i < ranges[2 * k + 1]; i++) {
                params[i] -= learningRate * grad[i];
            }
        }
        steps++;
    }

    @Override
    public void reset() {
        steps = 0;
    }

    @Override
    public Optimizer copy() {
        Sgd c = new Sgd();
        c.size = size;
        c.steps = steps;
        return c;
    }

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public OptimizerState state() {
        return new OptimizerState("sgd", steps, new float[0][]);
    }

    @Override
    public void restore(OptimizerState state) {
        state.requireKind("sgd", 0);
        steps = state.steps();
    }
}
