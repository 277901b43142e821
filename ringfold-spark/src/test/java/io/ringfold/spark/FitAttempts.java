package io.ringfold.spark;

/**
 * Test access, from other test packages (the cluster tests), to what a model records about the fit that
 * produced it; kept package-private in the main code because it is diagnostic, not API.
 */
public final class FitAttempts {

    private FitAttempts() {
    }

    /** Stage attempt of the barrier stage that produced {@code model} (0 = first; -1 = loaded or copied). */
    public static int attempt(RingfoldModel<?> model) {
        return model.fitAttempt();
    }

    /** Epochs that attempt ran itself: fewer than the history when it resumed from a checkpoint. */
    public static int epochsInAttempt(RingfoldModel<?> model) {
        return model.epochsInFitAttempt();
    }
}
