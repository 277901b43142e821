package io.ringfold.train;

/**
 * Early stopping on the validation loss, shared by every trainer: remembers the best epoch's
 * parameters and says when {@code patience} epochs have passed without a lower loss (Keras'
 * EarlyStopping with restore_best_weights). Patience 0 never stops.
 */
public final class EarlyStopping {

    private final int patience;
    private float[] best;
    private double bestLoss;
    private int bestEpoch;

    public EarlyStopping(int patience) {
        this(patience, null, Double.POSITIVE_INFINITY, 0);
    }

    /** Continues from a saved state (a checkpoint). */
    public EarlyStopping(int patience, float[] best, double bestLoss, int bestEpoch) {
        this.patience = patience;
        this.best = best;
        this.bestLoss = bestLoss;
        this.bestEpoch = bestEpoch;
    }

    /** After epoch {@code epoch} (1-based) with this validation loss: true when training should stop. */
    public boolean shouldStop(int epoch, double validationLoss, float[] params) {
        if (patience == 0) {
            return false;
        }
        if (validationLoss < bestLoss) {
            bestLoss = validationLoss;
            bestEpoch = epoch;
            best = params.clone();
            return false;
        }
        return epoch - bestEpoch >= patience;
    }

    /** The best epoch's parameters, or null before any validation. */
    public float[] best() {
        return best;
    }

    public double bestLoss() {
        return bestLoss;
    }

    public int bestEpoch() {
        return bestEpoch;
    }
}
