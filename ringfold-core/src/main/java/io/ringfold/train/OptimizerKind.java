package io.ringfold.train;

import java.util.Locale;

/** The optimizers a {@link TrainingConfig} can name. */
public enum OptimizerKind {
    SGD, MOMENTUM, ADAM;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static OptimizerKind parse(String s) {
        for (OptimizerKind k : values()) {
            if (k.id().equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("optimizer: " + s + " (expected: sgd, momentum or adam)");
    }
}
