package io.ringfold.jobs;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a job stands. The legal moves:
 * <pre>
 * QUEUED  -> RUNNING (claimed by a service), CANCELLED (cancelled before it started)
 * RUNNING -> SUCCEEDED, FAILED, CANCELLED (finished by its owner), QUEUED (released by its owner)
 * FAILED, CANCELLED -> QUEUED (retried: the same job, a new attempt)
 * SUCCEEDED -> nothing (to train again, submit a new job)
 * </pre>
 * A RUNNING job taken over from a dead service stays RUNNING under its new owner.
 */
public enum JobState {
    QUEUED,
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    /** True for SUCCEEDED, FAILED and CANCELLED: no service works on the job. */
    public boolean isFinished() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    /** The states this one may move to (the table above). */
    public Set<JobState> successors() {
        return switch (this) {
            case QUEUED -> EnumSet.of(RUNNING, CANCELLED);
            case RUNNING -> EnumSet.of(SUCCEEDED, FAILED, CANCELLED, QUEUED);
            case FAILED, CANCELLED -> EnumSet.of(QUEUED);
            case SUCCEEDED -> EnumSet.noneOf(JobState.class);
        };
    }

    public boolean canMoveTo(JobState next) {
        return successors().contains(next);
    }

    /** The state with this name (upper or lower case), or IllegalArgumentException naming the states there are. */
    public static JobState fromId(String id) {
        for (JobState s : values()) {
            if (s.name().equalsIgnoreCase(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("state: " + Names.quote(id)
                + " (expected: one of QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED)");
    }
}
