package io.ringfold.nn;

/**
 * The step of the entries that are tracked, not trained (batch normalisation's running mean and variance):
 * where their gradient would be, backpropagation leaves the batch's statistics (summed over the rows, then
 * divided by the batch size like every gradient), and instead of an optimizer step each entry moves towards
 * them by its momentum: {@code p = (1 - m) p + m g}, PyTorch's update. The gradient entry is then zeroed, so
 * the optimizer, which runs next on the whole vector, leaves the entry where this put it (SGD, momentum and
 * Adam all move nothing along a gradient that is always zero).
 */
public final class RunningStatistics {

    private RunningStatistics() {
    }

    /**
     * Applies the update to the entries of {@code [from, to)} that {@code buffer} marks
     * ({@link Network#bufferMask()}), with their {@link Network#bufferMomentum()}.
     */
    public static void apply(boolean[] buffer, float[] momentum, float[] params, float[] grad, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buffer[i]) {
                float m = momentum[i];
                params[i] = (1f - m) * params[i] + m * grad[i];
                grad[i] = 0f;
            }
        }
    }
}
