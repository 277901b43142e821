package io.ringfold.optim;

/**
 * Learning rate as a function of training progress. Evaluated once per step from the step index and
 * the total number of steps, so a resumed run sees exactly the rates of an uninterrupted one.
 */
public sealed interface LearningRateSchedule {

    /** Rate for step {@code step} (0-based) of {@code totalSteps}, in epoch {@code epoch} (0-based). */
    float rate(float base, int epoch, long step, long totalSteps);

    String describe();

    record Constant() implements LearningRateSchedule {
        @Override
        public float rate(float base, int epoch, long step, long totalSteps) {
            return base;
        }

        @Override
        public String describe() {
            return "constant";
        }
    }

    /** Multiplies the rate by {@code gamma} every {@code everyEpochs} epochs (PyTorch's StepLR). */
    record Step(int everyEpochs, float gamma) implements LearningRateSchedule {
        public Step {
            if (everyEpochs <= 0) {
                throw new IllegalArgumentException("lrStepEpochs: " + everyEpochs + " (expected: > 0)");
            }
            if (!(gamma > 0f && gamma <= 1f)) {
                throw new IllegalArgumentException("lrGamma: " + gamma + " (expected: 0 < gamma <= 1)");
            }
        }

        @Override
        public float rate(float base, int epoch, long step, long totalSteps) {
            return (float) (base * Math.pow(gamma, epoch / everyEpochs));
        }

        @Override
        public String describe() {
            return "step(every=" + everyEpochs + " epochs, gamma=" + gamma + ")";
        }
    }

    /** Cosine annealing from the base rate to {@code base * minFraction} over all steps (no restarts). */
    record Cosine(float minFraction) implements LearningRateSchedule {
        public Cosine {
            if (!(minFraction >= 0f && minFraction < 1f)) {
                throw new IllegalArgumentException("lrMinFraction: " + minFraction + " (expected: 0 <= f < 1)");
            }
        }

        @Override
        public float rate(float base, int epoch, long step, long totalSteps) {
            double progress = totalSteps <= 1 ? 0 : (double) step / (totalSteps - 1);
            double min = base * (double) minFraction;
            return (float) (min + (base - min) * 0.5 * (1 + Math.cos(Math.PI * progress)));
        }

        @Override
        public String describe() {
            return "cosine(min=" + minFraction + "x)";
        }
    }
}
