package io.ringfold.nn;

import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

/**
 * Batch normalisation (Ioffe and Szegedy 2015) of each feature of a vector, or each channel of an image over
 * its positions. In training a pass normalises by the statistics of the rows it is given, which in
 * data-parallel training is one logical shard: the shards are fixed by the batch, not by the workers, so the
 * worker count never changes them. The running mean and variance are buffers in the parameter vector; backward
 * writes the shard's contribution to them (its mean and unbiased variance, times its rows) where their
 * gradients would go, and the trainer moves each buffer by {@code momentum} towards the batch's average of
 * those (PyTorch's update), after the exact sum over shards. In evaluation the running statistics normalise.
 */
final class BatchNormLayer extends Layer {

    private final float momentum;
    private final float epsilon;
    private final int channels;
    private final int positions;

    BatchNormLayer(Network.Node node) {
        super(node);
        this.momentum = node.spec().floatValue("momentum");
        this.epsilon = node.spec().floatValue("epsilon");
        this.channels = node.in().dim(0);
        this.positions = node.in().size() / channels;
    }

    float momentum() {
        return momentum;
    }

    private int gamma() {
        return node.paramOffset();
    }

    private int beta() {
        return node.paramOffset() + channels;
    }

    private int runningMean() {
        return node.paramOffset() + 2 * channels;
    }

    private int runningVar() {
        return node.paramOffset() + 3 * channels;
    }

    /** The last training forward's normalised values, and per channel its mean, biased variance and 1/std. */
    private record Scratch(float[] xhat, double[] mean, double[] var, float[] invStd) {
    }

    @Override
    Object scratch(int maxRows) {
        return new Scratch(new float[Math.multiplyExact(maxRows, out())], new double[channels], new double[channels],
                new float[channels]);
    }

    @Override
    void forward(Run run, Object scratch, float[] params, Matrix x, int rows, float[] y) {
        float[] in = ((FloatMatrix) x).data();
        int size = out();
        if (!run.training()) {
            for (int c = 0; c < channels; c++) {
                float m = params[runningMean() + c];
                float inv = (float) (1.0 / Math.sqrt(params[runningVar() + c] + (double) epsilon));
                float g = params[gamma() + c] * inv;
                float b = params[beta() + c];
                for (int r = 0; r < rows; r++) {
                    int base = r * size + c * positions;
                    for (int p = 0; p < positions; p++) {
                        y[base + p] = (in[base + p] - m) * g + b;
                    }
                }
            }
            return;
        }
        Scratch s = (Scratch) scratch;
        long count = (long) rows * positions;
        for (int c = 0; c < channels; c++) {
            // In double: a channel of an image batch sums tens of thousands of values.
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                int base = r * size + c * positions;
                for (int p = 0; p < positions; p++) {
                    sum += in[base + p];
                }
            }
            double mean = sum / count;
            double sq = 0;
            for (int r = 0; r < rows; r++) {
                int base = r * size + c * positions;
                for (int p = 0; p < positions; p++) {
                    double d = in[base + p] - mean;
                    sq += d * d;
                }
            }
            double var = sq / count;
            float inv = (float) (1.0 / Math.sqrt(var + epsilon));
            s.mean()[c] = mean;
            s.var()[c] = var;
            s.invStd()[c] = inv;
            float m = (float) mean;
            float g = params[gamma() + c];
            float b = params[beta() + c];
            for (int r = 0; r < rows; r++) {
                int base = r * size + c * positions;
                for (int p = 0; p < positions; p++) {
                    float xh = (in[base + p] - m) * inv;
                    s.xhat()[base + p] = xh;
                    y[base + p] = g * xh + b;
                }
            }
        }
    }

    @Override
    void backward(Run run, Object scratch, float[] params, Matrix x, float[] y, int rows, float[] dy, float[] dx,
                  float[] grad) {
        if (run.measuresNorms()) {
            // Refused before training (PrivateTraining.check): a batch's statistics mix its examples.
            throw new IllegalStateException(node.label() + ": no per-example gradients (batch statistics mix the "
                    + "examples)");
        }
        if (!run.training()) {
            evaluationBackward(params, x, rows, dy, dx, grad);
            return;
        }
        Scratch s = (Scratch) scratch;
        int size = out();
        long count = (long) rows * positions;
        for (int c = 0; c < channels; c++) {
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int r = 0; r < rows; r++) {
                int base = r * size + c * positions;
                for (int p = 0; p < positions; p++) {
                    sumDy += dy[base + p];
                    sumDyXhat += (double) dy[base + p] * s.xhat()[base + p];
                }
            }
            grad[gamma() + c] = (float) sumDyXhat;
            grad[beta() + c] = (float) sumDy;
            // The running statistics' contributions, as sums over the rows (the trainer divides by the batch).
            double unbiased = count > 1 ? s.var()[c] * count / (count - 1) : s.var()[c];
            grad[runningMean() + c] = (float) (s.mean()[c] * rows);
            grad[runningVar() + c] = (float) (unbiased * rows);
            if (dx != null) {
                double k = params[gamma() + c] * (double) s.invStd()[c];
                double meanDy = sumDy / count;
                double meanDyXhat = sumDyXhat / count;
                for (int r = 0; r < rows; r++) {
                    int base = r * size + c * positions;
                    for (int p = 0; p < positions; p++) {
                        dx[base + p] = (float) (k * (dy[base + p] - meanDy - s.xhat()[base + p] * meanDyXhat));
                    }
                }
            }
        }
    }

    /**
     * Through the running statistics, which are constants here (fine-tuning with the normalisation frozen); the
     * running statistics' entries get their own values back, so a trainer's update leaves them as they are.
     */
    private void evaluationBackward(float[] params, Matrix x, int rows, float[] dy, float[] dx, float[] grad) {
        float[] in = ((FloatMatrix) x).data();
        int size = out();
        for (int c = 0; c < channels; c++) {
            float m = params[runningMean() + c];
            double inv = 1.0 / Math.sqrt(params[runningVar() + c] + (double) epsilon);
            double k = params[gamma() + c] * inv;
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int r = 0; r < rows; r++) {
                int base = r * size + c * positions;
                for (int p = 0; p < positions; p++) {
                    sumDy += dy[base + p];
                    sumDyXhat += dy[base + p] * ((in[base + p] - m) * inv);
                    if (dx != null) {
                        dx[base + p] = (float) (dy[base + p] * k);
                    }
                }
            }
            grad[gamma() + c] = (float) sumDyXhat;
            grad[beta() + c] = (float) sumDy;
            grad[runningMean() + c] = params[runningMean() + c] * rows;
            grad[runningVar() + c] = params[runningVar() + c] * rows;
        }
    }

    @Override
    void initialize(float[] params, SplitMix64 rng, InitRule rule) {
        java.util.Arrays.fill(params, gamma(), gamma() + channels, 1f);
        java.util.Arrays.fill(params, runningVar(), runningVar() + channels, 1f);
    }
}
