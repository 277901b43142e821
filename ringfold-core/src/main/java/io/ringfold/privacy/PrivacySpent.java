package io.ringfold.privacy;

/**
 * The (ε, δ) guarantee of a run so far: {@code epsilon} at {@code delta} after {@code steps} steps, from the
 * Rényi order {@code order} that gave the smallest ε.
 */
public record PrivacySpent(double epsilon, double delta, double order, long steps) {
}
