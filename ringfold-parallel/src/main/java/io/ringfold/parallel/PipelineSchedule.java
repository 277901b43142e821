package io.ringfold.parallel;

import java.util.Locale;

/**
 * The order in which a pipeline stage runs its micro-batches' forward and backward passes. Both compute the
 * same gradients (each shard's on its own), so the trained parameters do not depend on the choice; they differ
 * in the activations held and in how the transfers overlap.
 */
public enum PipelineSchedule {
    /** Fill-drain (GPipe): every micro-batch forward, then every one backward; holds all M micro-batches' activations. */
    GPIPE("gpipe"),
    /**
     * One-forward-one-backward (PipeDream-Flush, Megatron's default): after K-k-1 warm-up forwards, stage k
     * alternates one forward and one backward, so it holds at most K-k micro-batches' activations.
     */
    ONE_F_ONE_B("1f1b");

    private final String id;

    PipelineSchedule(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static PipelineSchedule parse(String s) {
        for (PipelineSchedule k : values()) {
            if (k.id.equals(s.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("pipelineSchedule: " + s + " (expected: gpipe or 1f1b)");
    }
}
