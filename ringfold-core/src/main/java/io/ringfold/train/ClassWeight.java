package io.ringfold.train;

import java.util.Locale;

/** How classes are weighted in a classifier's loss. */
public enum ClassWeight {
    /** Every row weighs 1 (or its weight column's value). */
    NONE,
    /** Class k's rows weigh {@code n / (K * n_k)}, as scikit-learn's {@code class_weight='balanced'}. */
    BALANCED;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ClassWeight parse(String s) {
        for (ClassWeight k : values()) {
            if (k.id().equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("classWeight: " + s + " (expected: none or balanced)");
    }
}
