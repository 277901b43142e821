package io.ringfold.model;

import io.ringfold.random.SplitMix64;

/**
 * Initial parameters from a seed. Hidden layers followed by ReLU get He uniform initialisation
 * ({@code U(±sqrt(6/fanIn))}, He et al. 2015); other layers Glorot uniform ({@code U(±sqrt(6/(fanIn+fanOut)))},
 * Glorot and Bengio 2010). Models without hidden layers (linear, logistic, softmax regression) are
 * convex and start at zero. Biases start at zero.
 */
public final class Initializer {

    /** Stream identifier for initialisation, so it never shares random numbers with shuffling. */
    public static final long PURPOSE = 0x494e4954L;

    private Initializer() {
    }

    public static float[] initialParameters(Architecture arch, long seed) {
        float[] p = new float[arch.parameterCount()];
        if (arch.layerCount() == 1) {
            return p;
        }
        for (int l = 0; l < arch.layerCount(); l++) {
            SplitMix64 rng = SplitMix64.derive(seed, PURPOSE, l);
            int fanIn = arch.fanIn(l);
            int fanOut = arch.fanOut(l);
            boolean relu = l < arch.layerCount() - 1 && arch.activation() == Activation.RELU;
            double limit = relu ? Math.sqrt(6.0 / fanIn) : Math.sqrt(6.0 / (fanIn + fanOut));
            int off = arch.weightOffset(l);
            for (int i = 0; i < fanIn * fanOut; i++) {
                p[off + i] = (float) ((rng.nextDouble() * 2 - 1) * limit);
            }
        }
        return p;
    }
}
