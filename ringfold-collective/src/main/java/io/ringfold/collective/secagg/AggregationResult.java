package io.ringfold.collective.secagg;

import java.util.List;
import java.util.Map;

/**
 * The outcome of one secure aggregation.
 *
 * @param sum      the sum modulo 2^64 of the inputs of {@code included}, masks removed: exactly the plain
 *                 sum of their int64 vectors
 * @param included the clients whose inputs are in the sum, in id order
 * @param dropped  the invited clients that left without a refusal (no message before the round closed)
 * @param excluded the clients whose message was refused, with the reason, in the order of refusal. A client
 *                 excluded in the unmasking round is in {@code included} too: its input is already in the sum
 *                 (removing it would need its mask key, revealed beside its self mask it would expose its
 *                 input); only its shares went unused.
 */
public record AggregationResult(long[] sum, List<Integer> included, List<Integer> dropped, Map<Integer, String> excluded) {

    public AggregationResult {
        included = List.copyOf(included);
        dropped = List.copyOf(dropped);
        excluded = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(excluded));
    }
}
