package io.ringfold.parallel;

/** L2 weight decay as both data-parallel modes add it to a mean gradient. */
final class WeightDecay {

    private WeightDecay() {
    }

    /**
     * {@code grad[i] += decay * params[i]} for i in [from, to) where {@code mask[i]} (weights, not biases);
     * nothing when {@code mask} is null. The one place both modes add it, so they decay alike.
     */
    static void add(float[] grad, float[] params, boolean[] mask, float decay, int from, int to) {
        if (mask == null) {
            return;
        }
        for (int i = from; i < to; i++) {
            if (mask[i]) {
                grad[i] += decay * params[i];
            }
        }
    }
}
