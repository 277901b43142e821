package io.ringfold.data;

import java.util.Locale;

/** What a category not seen in training becomes at prediction: all-zero one-hot columns, or an error. */
public enum UnseenCategories {
    ZERO, ERROR;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static UnseenCategories parse(String s) {
        for (UnseenCategories k : values()) {
            if (k.id().equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unseenCategories: " + s + " (expected: zero or error)");
    }
}
