package io.ringfold.train;

import java.util.Locale;

/** The learning-rate schedules a {@link TrainingConfig} can name. */
public enum ScheduleKind {
    CONSTANT, STEP, COSINE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ScheduleKind parse(String s) {
        for (ScheduleKind k : values()) {
            if (k.id().equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("lrSchedule: " + s + " (expected: constant, step or cosine)");
    }
}
