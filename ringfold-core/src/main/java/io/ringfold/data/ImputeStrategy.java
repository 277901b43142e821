package io.ringfold.data;

import java.util.Locale;

/** What a missing numeric cell becomes: the training column's mean, median, or most frequent value. */
public enum ImputeStrategy {
    MEAN, MEDIAN, MOST_FREQUENT;

    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static ImputeStrategy parse(String s) {
        for (ImputeStrategy k : values()) {
            if (k.id().equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("impute: " + s + " (expected: mean, median or most-frequent)");
    }
}
