package io.ringfold.optim;

/**
 * A snapshot of an optimizer's state: its kind, the number of steps taken and its buffers (for
 * momentum the velocity; for Adam the first and second moments), copied on the way in and out.
 */
public record OptimizerState(String kind, long steps, float[][] buffers) {

    public OptimizerState {
        float[][] copy = new float[buffers.length][];
        for (int i = 0; i < buffers.length; i++) {
            copy[i] = buffers[i].clone();
        }
        buffers = copy;
    }

    @Override
    public float[][] buffers() {
        float[][] copy = new float[buffers.length][];
        for (int i = 0; i < buffers.length; i++) {
            copy[i] = buffers[i].clone();
        }
        return copy;
    }

    void requireKind(String expected, int bufferCount) {
        if (!kind.equals(expected) || buffers.length != bufferCount) {
            throw new IllegalArgumentException("optimizer state: " + kind + " with " + buffers.length
                    + " buffers (expected: " + expected + " with " + bufferCount + ")");
        }
    }
}
