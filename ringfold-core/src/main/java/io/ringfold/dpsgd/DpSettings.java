package io.ringfold.dpsgd;

/**
 * What a run asks of DP-SGD, as its flags say it ({@code --dp-clip}, {@code --dp-noise-multiplier} or
 * {@code --dp-epsilon}, {@code --dp-delta}, {@code --dp-secure-rng}); {@link DpSgdPlan#of} turns it into the plan
 * for the run's data. Zero means "not given" for every number; a clip of 0 is a run that is not private.
 */
public record DpSettings(double clip, double noiseMultiplier, double epsilon, double delta, boolean secureRng) {

    /** Whether these settings ask for a private run. */
    public boolean isPrivate() {
        return clip > 0;
    }
}
