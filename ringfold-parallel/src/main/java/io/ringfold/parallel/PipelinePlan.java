package io.ringfold.parallel;

import io.ringfold.nn.Network;

import java.util.Arrays;

/**
 * How a network is split into a pipeline: {@code stages} stages, each global batch's shards of one
 * data-parallel replica in {@code microBatches} micro-batches, the schedule, and the stage boundaries (the
 * index in {@link Network#nodes()} where each stage after the first begins) or null to balance them.
 */
public record PipelinePlan(int stages, int microBatches, PipelineSchedule schedule, int[] boundaries) {

    public PipelinePlan {
        if (stages <= 0) {
            throw new IllegalArgumentException("pipelineStages: " + stages + " (expected: > 0)");
        }
        if (microBatches <= 0) {
            throw new IllegalArgumentException("microBatches: " + microBatches + " (expected: > 0)");
        }
        if (schedule == null) {
            throw new IllegalArgumentException("pipelineSchedule: none (expected: gpipe or 1f1b)");
        }
        if (boundaries != null) {
            boundaries = boundaries.clone();
            if (boundaries.length != stages - 1) {
                throw new IllegalArgumentException("stageBoundaries: " + format(boundaries) + " (expected: "
                        + (stages - 1) + " layer indices for " + stages + " stages, where stages 1.." + (stages - 1)
                        + " begin)");
            }
            for (int i = 0; i < boundaries.length; i++) {
                if (boundaries[i] <= (i == 0 ? 0 : boundaries[i - 1])) {
                    throw new IllegalArgumentException("stageBoundaries: " + format(boundaries) + " (expected: "
                            + "increasing layer indices above 0; " + boundaries[i] + " is not above "
                            + (i == 0 ? 0 : boundaries[i - 1]) + ")");
                }
            }
        }
    }

    /**
     * Checks that the micro-batches are whole logical shards, the same number in each: {@code shards} split
     * evenly over {@code replicas} pipelines, and each pipeline's share evenly into the micro-batches.
     */
    public void checkShards(int shards, int replicas) {
        if (shards % replicas != 0 || (shards / replicas) % microBatches != 0) {
            throw new IllegalArgumentException("microBatches: " + microBatches + " (expected: a divisor of the " + shards
                    + " logical shards" + (replicas > 1 ? " / " + replicas + " replicas = " + shards / (double) replicas
                    + " shards each pipeline takes" : " of each batch") + ", so that micro-batches are whole shards;"
                    + " raise --shards to a multiple of " + (long) microBatches * replicas + ")");
        }
    }

    /** Parses {@code --stage-boundaries 4,7}. */
    public static int[] parseBoundaries(String text) {
        String[] parts = text.split(",", -1);
        int[] b = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                b[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("stageBoundaries: " + text + " (expected: layer indices separated by "
                        + "commas, e.g. 4,7; '" + parts[i] + "' is not a number)");
            }
        }
        return b;
    }

    @Override
    public int[] boundaries() {
        return boundaries == null ? null : boundaries.clone();
    }

    /**
     * The layer range of every stage, {@code [cuts[k], cuts[k + 1])}, for {@code net}: the given boundaries,
     * checked against its layers, or null when they are to be balanced.
     */
    int[] cuts(Network net) {
        int layers = net.nodes().size();
        if (stages > layers) {
            throw new IllegalArgumentException("pipelineStages: " + stages + " (expected: at most the network's "
                    + layers + " layers, output layer included)");
        }
        if (boundaries == null) {
            return null;
        }
        if (boundaries[boundaries.length - 1] >= layers) {
            throw new IllegalArgumentException("stageBoundaries: " + format(boundaries) + " (expected: layer indices "
                    + "below " + layers + ", the network's layers with the output layer)");
        }
        int[] cuts = new int[stages + 1];
        System.arraycopy(boundaries, 0, cuts, 1, boundaries.length);
        cuts[stages] = layers;
        return cuts;
    }

    static String format(int[] values) {
        return String.join(",", Arrays.stream(values).mapToObj(Integer::toString).toList());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PipelinePlan p && p.stages == stages && p.microBatches == microBatches
                && p.schedule == schedule && Arrays.equals(p.boundaries, boundaries);
    }

    @Override
    public int hashCode() {
        return ((stages * 31 + microBatches) * 31 + schedule.hashCode()) * 31 + Arrays.hashCode(boundaries);
    }

    @Override
    public String toString() {
        return stages + " stages, " + microBatches + " micro-batches, " + schedule.id()
                + (boundaries == null ? "" : ", boundaries " + format(boundaries));
    }
}
