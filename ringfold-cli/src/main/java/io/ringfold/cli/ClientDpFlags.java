package io.ringfold.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.federated.privacy.ClientDpSettings;
import io.ringfold.model.Model;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code ringfold federated coordinator}'s client-level differential privacy flags (DP-FedAvg; docs/privacy.md,
 * "Client-level differential privacy"), declared here once. They are named {@code --client-dp-*} so that they do
 * not collide with train's {@code --dp-*} flags, which the coordinator forwards to the clients' local training
 * (example-level DP-SGD on each client's rows).
 */
final class ClientDpFlags {

    @Option(names = "--client-dp-clip", paramLabel = "S", description = "Client-level DP: clip each sampled client's "
            + "update to L2 norm S, sample clients by Poisson sampling (q = K / --min-available-clients), average "
            + "over the fixed K and add Gaussian noise (with --client-dp-noise-multiplier or --client-dp-epsilon).")
    Double clip;

    @Option(names = "--client-dp-noise-multiplier", paramLabel = "Z", description = "Client-level DP: the noise on "
            + "each round's sum has standard deviation Z x S; or give --client-dp-epsilon.")
    Double noiseMultiplier;

    @Option(names = "--client-dp-epsilon", paramLabel = "EPS", description = "Client-level DP: the least noise "
            + "multiplier that keeps ε within EPS over --rounds (RDP accountant); needs --client-dp-delta.")
    Double epsilon;

    @Option(names = "--client-dp-delta", paramLabel = "DELTA", description = "Client-level DP: the δ ε is reported at "
            + "(default with --client-dp-noise-multiplier: the largest power of ten below 1 / --min-available-clients).")
    Double delta;

    @Option(names = "--client-dp-secure-rng", description = "Client-level DP: draw the noise from SecureRandom "
            + "instead of (seed, round, client), so nobody who knows the seed can subtract it (not reproducible).")
    boolean secureRng;

    /** The settings given, checked one flag at a time; null when {@code --client-dp-clip} is absent and nothing else is given. */
    ClientDpSettings settings(CommandSpec spec) {
        if (clip == null) {
            String stray = noiseMultiplier != null ? "--client-dp-noise-multiplier: " + noiseMultiplier
                    : epsilon != null ? "--client-dp-epsilon: " + epsilon : delta != null ? "--client-dp-delta: " + delta
                    : secureRng ? "--client-dp-secure-rng: true" : null;
            if (stray != null) {
                throw new ParameterException(spec.commandLine(), stray + " given without --client-dp-clip (expected: "
                        + "--client-dp-clip S, the norm each client's update is clipped to)");
            }
            return null;
        }
        try {
            return new ClientDpSettings(clip, noiseMultiplier == null ? 0 : noiseMultiplier,
                    epsilon == null ? 0 : epsilon, delta == null ? 0 : delta, secureRng);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), flag(e.getMessage()));
        }
    }

    /** {@code noiseMultiplier: 0.0 (...)} as {@code --client-dp-noise-multiplier: 0.0 (...)}. */
    static String flag(String message) {
        String[][] names = {{"clip", "--client-dp-clip"}, {"noiseMultiplier", "--client-dp-noise-multiplier"},
                {"targetEpsilon", "--client-dp-epsilon"}, {"delta", "--client-dp-delta"}};
        String out = message;
        for (String[] n : names) {
            if (out.startsWith(n[0] + ":")) {
                out = n[1] + out.substring(n[0].length());
            }
            out = out.replace(" and " + n[0] + " ", " and " + n[1] + " ").replace(" with " + n[0] + " ",
                    " with " + n[1] + " ");
        }
        return out;
    }

    /**
     * The guarantee the model's provenance holds, in the run's JSON as train reports its own: {@code dp_epsilon}
     * and {@code dp_delta} (what {@code runs} and the dashboard show), with the mechanism's parameters.
     */
    static void report(ObjectNode result, Model model) {
        ObjectNode privacy = model.provenance().privacy();
        if (privacy == null) {
            return;
        }
        result.put("dp_epsilon", privacy.get("epsilon").asDouble());
        result.put("dp_delta", privacy.get("delta").asDouble());
        result.put("dp_mechanism", privacy.get("mechanism").asText());
        result.put("dp_noise_multiplier", privacy.get("noise_multiplier").asDouble());
        result.put("dp_clip", privacy.get("clip").asDouble());
        result.put("dp_sampling_rate", privacy.get("sampling_rate").asDouble());
        result.put("dp_secure_rng", privacy.get("secure_rng").asBoolean());
    }
}
