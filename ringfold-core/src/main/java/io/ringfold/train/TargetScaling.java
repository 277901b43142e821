package io.ringfold.train;

import io.ringfold.nn.LayerKind;
import io.ringfold.nn.Network;

/**
 * A regression target standardised for the fit, {@code (y - mean) / scale} with the training rows' (weighted)
 * mean and standard deviation, as MLlib does: the solvers then see the same scale whatever the target's units.
 * The network's last layer is dense, so the inverse is folded into its weights and bias ({@code W * scale},
 * {@code b * scale + mean}) and the saved model predicts in the target's own units with no extra step.
 *
 * <p>Public for engines that assemble the run themselves (ringfold-spark), so that they scale and fold exactly
 * as {@link TrainingRun} does.
 */
public record TargetScaling(double mean, double scale) {

    public static final TargetScaling NONE = new TargetScaling(0, 1);

    /** The scaling of targets {@code y} with row weights {@code w} (null: all 1), in row order. */
    public static TargetScaling fit(float[] y, float[] w) {
        double sw = 0;
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            double wi = w == null ? 1 : w[i];
            sw += wi;
            sum += wi * y[i];
        }
        double mean = sum / sw;
        double ss = 0;
        for (int i = 0; i < y.length; i++) {
            double wi = w == null ? 1 : w[i];
            ss += wi * (y[i] - mean) * (y[i] - mean);
        }
        double sd = Math.sqrt(ss / sw);
        return new TargetScaling(mean, sd > 0 && Double.isFinite(sd) ? sd : 1);
    }

    public float[] apply(float[] y) {
        if (this.equals(NONE)) {
            return y;
        }
        float[] out = new float[y.length];
        for (int i = 0; i < y.length; i++) {
            out[i] = (float) ((y[i] - mean) / scale);
        }
        return out;
    }

    /** The parameters of {@code net} that predict {@code mean + scale * (what params predict)}. */
    public float[] fold(Network net, float[] params) {
        if (this.equals(NONE)) {
            return params;
        }
        Network.Node last = net.nodes().get(net.nodes().size() - 1);
        if (last.spec().kind() != LayerKind.DENSE) {
            throw new IllegalStateException("the last layer of " + net.describe() + " is not dense");
        }
        float[] p = params.clone();
        int units = net.outputs();
        int end = last.paramOffset() + last.paramCount();
        int bias = end - units;
        for (int i = last.paramOffset(); i < bias; i++) {
            p[i] = (float) (p[i] * scale);
        }
        for (int i = bias; i < end; i++) {
            p[i] = (float) (p[i] * scale + mean);
        }
        return p;
    }
}
