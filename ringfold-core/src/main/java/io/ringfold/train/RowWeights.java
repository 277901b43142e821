package io.ringfold.train;

/**
 * The weight of each training row in the loss: its weight column's value (or 1) times its class's weight under
 * {@code --class-weight balanced}, {@code rows / (classes x rows of the class)} as scikit-learn computes it (with
 * row weights, weighted counts). Null when every row weighs 1. Public for engines that assemble the run themselves
 * (ringfold-spark), so that they weigh rows exactly as {@link TrainingRun} does.
 */
public final class RowWeights {

    private RowWeights() {
    }

    /** {@code classes}: 0 for a regressor; {@code column}: the weight column's values or null. */
    public static float[] of(TrainingConfig config, int classes, float[] labels, float[] column) {
        if (config.classWeight() == ClassWeight.NONE || classes == 0) {
            return column == null ? null : column.clone();
        }
        double[] perClass = new double[classes];
        double total = 0;
        for (int i = 0; i < labels.length; i++) {
            double w = column == null ? 1 : column[i];
            perClass[(int) labels[i]] += w;
            total += w;
        }
        float[] out = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            double count = perClass[(int) labels[i]];
            double w = column == null ? 1 : column[i];
            out[i] = (float) (w * total / (classes * count));
        }
        return out;
    }
}
