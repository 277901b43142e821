package io.ringfold.nn;

import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

/**
 * Dropout (inverted): in training each value is zeroed with probability {@code rate} and the others scaled by
 * {@code 1/(1-rate)}, so evaluation is the identity. An example's mask comes from (seed, layer, step, example)
 * alone ({@link TrainingContext}), never from the order rows are computed in: the same mask whichever worker,
 * logical shard or batch position computes the example, so data-parallel training stays bit-identical.
 */
final class DropoutLayer extends Layer {

    /** Stream identifier for dropout masks (see {@link SplitMix64#derive}). */
    static final long PURPOSE = 0x44524f50L;

    private final float rate;
    private final float keepScale;
    private final long layerSalt;

    DropoutLayer(Network.Node node) {
        super(node);
        this.rate = node.spec().floatValue("rate");
        this.keepScale = 1f / (1f - rate);
        this.layerSalt = node.where().hashCode();
    }

    @Override
    Object scratch(int maxRows) {
        return new float[Math.multiplyExact(maxRows, out())];
    }

    @Override
    void forward(Run run, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        int n = rows * out();
        float[] in = ((FloatMatrix) x).data();
        if (!run.training() || rate == 0f) {
            System.arraycopy(in, 0, y, 0, n);
            return;
        }
        TrainingContext ctx = run.context();
        if (ctx == null || ctx.examples() == null || ctx.examples().length < rows) {
            throw new IllegalStateException(node.label() + ": training without example indices (expected: the"
                    + " trainer's TrainingContext, which dropout's masks come from)");
        }
        float[] mask = (float[]) scratch;
        int size = out();
        for (int r = 0; r < rows; r++) {
            SplitMix64 rng = SplitMix64.derive(ctx.seed(), PURPOSE ^ layerSalt,
                    ctx.step() * 0x1_0000_0001L + ctx.examples()[r]);
            int base = r * size;
            for (int i = 0; i < size; i++) {
                float m = rng.nextDouble() < rate ? 0f : keepScale;
                mask[base + i] = m;
                y[base + i] = in[base + i] * m;
            }
        }
    }

    @Override
    void backward(Run run, Object scratch, float[] params, Matrix x, float[] y, int rows, float[] dy, float[] dx,
                  float[] grad) {
        if (dx == null) {
            return;
        }
        int n = rows * out();
        if (!run.training() || rate == 0f) {
            System.arraycopy(dy, 0, dx, 0, n);
            return;
        }
        float[] mask = (float[]) scratch;
        for (int i = 0; i < n; i++) {
            dx[i] = dy[i] * mask[i];
        }
    }
}
