package io.ringfold.dpsgd;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.nn.LayerKind;
import io.ringfold.nn.LayerSpec;
import io.ringfold.nn.Network;
import io.ringfold.privacy.RdpAccountant;

import java.util.List;

/**
 * What a private run does, resolved from its configuration and its training rows: the clipping norm C, the
 * noise multiplier σ (given, or the smallest that keeps ε within {@code --dp-epsilon} over the planned steps),
 * δ, the sampling rate q = B / N, and ⌈N / B⌉ steps per epoch. Each step sums the clipped gradients of its
 * Poisson sample, adds N(0, σ²C²) to each entry once, and divides by the expected batch size B (as Opacus
 * does with Poisson sampling), so the noise on the mean gradient has standard deviation σC / B.
 *
 * @param clip            C, the L2 norm each example's gradient is clipped to
 * @param noiseMultiplier σ
 * @param delta           δ of the (ε, δ) reported
 * @param deltaDefaulted  whether δ is the default (the largest power of ten below 1 / N)
 * @param samplingRate    q = B / N
 * @param expectedBatch   B
 * @param stepsPerEpoch   ⌈N / B⌉
 * @param epochs          planned epochs
 * @param targetEpsilon   {@code --dp-epsilon}, or 0 when σ was given
 * @param secureRng       noise from a secure generator (not reproducible)
 */
public record DpSgdPlan(double clip, double noiseMultiplier, double delta, boolean deltaDefaulted,
                        double samplingRate, int expectedBatch, long stepsPerEpoch, int epochs, double targetEpsilon,
                        boolean secureRng) {

    /**
     * The plan of a run asking for {@code settings} with mini-batches of {@code batchSize} over {@code epochs},
     * training {@code net} on {@code rows} examples, or null for a run that is not private.
     */
    public static DpSgdPlan of(DpSettings settings, int batchSize, int epochs, Network net, int rows) {
        if (!settings.isPrivate()) {
            return null;
        }
        checkNetwork(net);
        if (rows <= 0) {
            throw new IllegalArgumentException("training rows: " + rows + " (expected: > 0)");
        }
        int batch = Math.min(batchSize, rows);
        double q = (double) batch / rows;
        long perEpoch = RdpAccountant.stepsPerEpoch(rows, batch);
        boolean defaulted = settings.delta() == 0;
        double delta = defaulted ? defaultDelta(rows) : settings.delta();
        double sigma = settings.noiseMultiplier();
        if (sigma == 0) {
            try {
                sigma = RdpAccountant.noiseMultiplier(settings.epsilon(), q, perEpoch * epochs, delta);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--dp-epsilon " + settings.epsilon() + ": no noise multiplier reaches"
                        + " it in " + perEpoch * epochs + " steps at sampling rate " + q + " and delta " + delta
                        + " (" + e.getMessage() + ")", e);
            }
        }
        return new DpSgdPlan(settings.clip(), sigma, delta, defaulted, q, batch, perEpoch, epochs, settings.epsilon(),
                settings.secureRng());
    }

    /**
     * δ when none is given: the largest power of ten below 1 / N (1e-5 for Fashion-MNIST's 60,000 rows), the
     * usual choice of Opacus' and TensorFlow Privacy's tutorials; a δ of 1 / N or more would allow a mechanism
     * that publishes one example outright.
     */
    public static double defaultDelta(long rows) {
        return Math.pow(10, -(Math.floor(Math.log10(rows)) + 1));
    }

    /**
     * Refuses a network whose gradients cannot be clipped per example: batch normalisation normalises each
     * example by its batch's statistics, so one example's gradient depends on the others.
     */
    public static void checkNetwork(Network net) {
        check(net.hidden(), "layers");
    }

    private static void check(List<LayerSpec> layers, String where) {
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec s = layers.get(i);
            if (s.kind() == LayerKind.BATCHNORM) {
                throw new IllegalArgumentException(where + "[" + i + "] " + s.format() + ": batchnorm in a private run"
                        + " (--dp-clip) mixes the examples of a batch, so no example's gradient can be clipped alone"
                        + " (expected: layernorm in its place, as Opacus users replace BatchNorm with GroupNorm or"
                        + " LayerNorm)");
            }
            if (s.kind() == LayerKind.ADD) {
                check(s.block(), where + "[" + i + "].block");
            }
        }
    }

    /** ε at δ after {@code steps} steps (0 before the first). */
    public double epsilon(long steps) {
        return steps == 0 ? 0 : RdpAccountant.epsilon(samplingRate, noiseMultiplier, steps, delta);
    }

    /** Planned steps in all. */
    public long plannedSteps() {
        return stepsPerEpoch * epochs;
    }

    /** The standard deviation of the noise on the mean gradient: σC / B. */
    public double meanNoiseStd() {
        return noiseMultiplier * clip / expectedBatch;
    }

    /** A fresh noise source for one trainer: seeded, or secure. */
    public GaussianNoise newNoise() {
        return secureRng ? GaussianNoise.secure() : GaussianNoise.seeded();
    }

    /**
     * {@code private: DP-SGD, clip 1.0, noise multiplier 1.10 (for ε 3 over 4690 steps), Poisson sampling q =
     * 0.00427 (expected batch 256), δ 1e-05 (default: below 1/N)}: one line for the run's output.
     */
    public String describe() {
        return "private: DP-SGD, clip " + clip + ", noise multiplier " + String.format("%.4f", noiseMultiplier)
                + (targetEpsilon > 0 ? " (the least for ε " + targetEpsilon + " over " + plannedSteps() + " steps)" : "")
                + ", Poisson sampling q = " + String.format("%.6g", samplingRate) + " (expected batch " + expectedBatch
                + ", " + stepsPerEpoch + " steps per epoch), δ " + delta + (deltaDefaulted ? " (default: the largest"
                + " power of ten below 1/N)" : "") + (secureRng ? "; noise from SecureRandom: this run is not"
                + " reproducible" : "; noise seeded by (seed, step): reproducible");
    }

    /** The privacy record of a model trained for {@code steps} steps: its provenance's {@code privacy}. */
    public ObjectNode toJson(long steps) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("mechanism", "dp-sgd");
        n.put("epsilon", epsilon(steps));
        n.put("delta", delta);
        n.put("accountant", "rdp");
        n.put("noise_multiplier", noiseMultiplier);
        n.put("clip", clip);
        n.put("sampling_rate", samplingRate);
        n.put("expected_batch", expectedBatch);
        n.put("steps", steps);
        n.put("sampling", "poisson");
        n.put("secure_rng", secureRng);
        return n;
    }
}
