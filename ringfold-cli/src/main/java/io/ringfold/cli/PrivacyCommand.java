package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.privacy.PrivacySpent;
import io.ringfold.privacy.RdpAccountant;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code ringfold privacy}: the (ε, δ) of a DP-SGD run with Poisson sampling, from its size alone, or the noise
 * multiplier a target ε needs, so a private run can be planned before it trains (see {@link RdpAccountant}).
 */
@Command(name = "privacy", mixinStandardHelpOptions = true,
        description = "Privacy budget of a DP-SGD run without training: epsilon at --delta for --noise-multiplier,"
                + " or the noise multiplier that --epsilon needs (Renyi DP of the Poisson-subsampled Gaussian"
                + " mechanism, as Opacus' RDP accountant).")
final class PrivacyCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--samples", required = true, paramLabel = "N", description = "Training examples.")
    long samples;

    @Option(names = "--batch-size", required = true, paramLabel = "B",
            description = "Expected batch size; each step samples each example with probability B/N.")
    long batchSize;

    @Option(names = "--epochs", required = true, paramLabel = "E", description = "Epochs of ceil(N/B) steps each.")
    long epochs;

    @Option(names = "--delta", required = true, paramLabel = "DELTA",
            description = "Target delta, in (0, 1); customarily below 1/N.")
    double delta;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Noise noise;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    static final class Noise {
        @Option(names = "--noise-multiplier", required = true, paramLabel = "SIGMA",
                description = "Noise standard deviation over the clipping norm: print the epsilon it gives.")
        Double noiseMultiplier;

        @Option(names = "--epsilon", required = true, paramLabel = "EPSILON",
                description = "Target epsilon: print the least noise multiplier (to 0.01, rounded up) that meets it.")
        Double epsilon;
    }

    @Override
    public Integer call() {
        validate();
        double q = (double) batchSize / samples;
        long steps = Math.multiplyExact(epochs, RdpAccountant.stepsPerEpoch(samples, batchSize));
        double sigma = noise.noiseMultiplier != null ? noise.noiseMultiplier : plannedNoise(q, steps);
        PrivacySpent spent = RdpAccountant.spent(q, sigma, steps, delta);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode r = JSON.createObjectNode();
            r.put("epsilon", spent.epsilon());
            r.put("delta", delta);
            r.put("noise_multiplier", sigma);
            r.put("sampling_rate", q);
            r.put("steps", steps);
            r.put("order", spent.order());
            r.put("samples", samples);
            r.put("batch_size", batchSize);
            r.put("epochs", epochs);
            if (noise.epsilon != null) {
                r.put("target_epsilon", noise.epsilon);
            }
            r.put("accountant", "rdp");
            out.println(r);
            return 0;
        }
        if (noise.epsilon != null) {
            out.println(String.format(Locale.ROOT, "noise multiplier %s reaches epsilon %.4g <= %s at delta %s",
                    sigma, spent.epsilon(), noise.epsilon, delta));
        } else {
            out.println(String.format(Locale.ROOT, "epsilon %.4g at delta %s", spent.epsilon(), delta));
        }
        out.println(String.format(Locale.ROOT, "  noise multiplier %s, sampling rate q = %d/%d = %.6g (Poisson),"
                + " %d steps (%d epochs of %d)", sigma, batchSize, samples, q, steps, epochs, steps / epochs));
        out.println(String.format(Locale.ROOT, "  Renyi DP of the subsampled Gaussian at best order %s of 1.1..1024,"
                + " converted as Balle et al. 2020 (docs/privacy.md)", spent.order()));
        return 0;
    }

    /** The least σ meeting --epsilon, rounded up to 3 decimals so that the printed value itself meets it. */
    private double plannedNoise(double q, long steps) {
        double floor = RdpAccountant.minimumEpsilon(delta);
        if (noise.epsilon <= floor) {
            throw bad(String.format(Locale.ROOT, "--epsilon: %s (expected: > %.4g, the least epsilon any noise"
                    + " reaches at delta %s)", noise.epsilon, floor, delta));
        }
        double sigma = RdpAccountant.noiseMultiplier(noise.epsilon, q, steps, delta);
        return Math.ceil(sigma * 1000) / 1000;
    }

    private void validate() {
        if (samples <= 0) {
            throw bad("--samples: " + samples + " (expected: > 0)");
        }
        if (batchSize <= 0 || batchSize > samples) {
            throw bad("--batch-size: " + batchSize + " (expected: in [1, --samples = " + samples + "])");
        }
        if (epochs <= 0) {
            throw bad("--epochs: " + epochs + " (expected: > 0)");
        }
        if (!(delta > 0 && delta < 1)) {
            throw bad("--delta: " + delta + " (expected: in (0, 1))");
        }
        if (noise.noiseMultiplier != null && !(noise.noiseMultiplier > 0 && noise.noiseMultiplier < Double.POSITIVE_INFINITY)) {
            throw bad("--noise-multiplier: " + noise.noiseMultiplier + " (expected: > 0 and finite)");
        }
        if (noise.epsilon != null && !(noise.epsilon > 0 && noise.epsilon < Double.POSITIVE_INFINITY)) {
            throw bad("--epsilon: " + noise.epsilon + " (expected: > 0 and finite)");
        }
    }

    private CommandLine.ParameterException bad(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
