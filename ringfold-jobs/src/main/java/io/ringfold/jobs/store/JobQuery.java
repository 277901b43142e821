package io.ringfold.jobs.store;

import io.ringfold.jobs.Engine;
import io.ringfold.jobs.JobState;
import io.ringfold.jobs.Names;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A filter for {@link JobStore#list}: any of {@code states} (all when empty), a name prefix, an engine, a
 * creation time window [{@code createdAfter}, {@code createdBefore}), and at most {@code limit} jobs. Null
 * fields do not filter.
 */
public record JobQuery(Set<JobState> states, String namePrefix, Engine engine, Instant createdAfter,
                       Instant createdBefore, int limit) {

    public static final int MAX_LIMIT = 1000;
    public static final int DEFAULT_LIMIT = 100;
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]{0,128}");

    public JobQuery {
        states = states == null || states.isEmpty() ? EnumSet.noneOf(JobState.class) : EnumSet.copyOf(states);
        if (namePrefix != null && !PREFIX.matcher(namePrefix).matches()) {
            throw new IllegalArgumentException("name prefix: " + Names.quote(namePrefix)
                    + " (expected: up to 128 letters, digits, '_', '-' or '.')");
        }
        if (createdAfter != null && createdBefore != null && !createdAfter.isBefore(createdBefore)) {
            throw new IllegalArgumentException("created after: " + createdAfter + " (expected: before created before, "
                    + createdBefore + ")");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: 1 to " + MAX_LIMIT + ")");
        }
    }

    /** Every job, the newest {@value #DEFAULT_LIMIT}. */
    public static JobQuery all() {
        return new JobQuery(null, null, null, null, null, DEFAULT_LIMIT);
    }

    @Override
    public Set<JobState> states() {
        return states.isEmpty() ? EnumSet.noneOf(JobState.class) : EnumSet.copyOf(states);
    }

    public JobQuery withStates(Set<JobState> s) {
        return new JobQuery(s, namePrefix, engine, createdAfter, createdBefore, limit);
    }

    public JobQuery withNamePrefix(String prefix) {
        return new JobQuery(states, prefix, engine, createdAfter, createdBefore, limit);
    }

    public JobQuery withEngine(Engine e) {
        return new JobQuery(states, namePrefix, e, createdAfter, createdBefore, limit);
    }

    public JobQuery withCreated(Instant after, Instant before) {
        return new JobQuery(states, namePrefix, engine, after, before, limit);
    }

    public JobQuery withLimit(int n) {
        return new JobQuery(states, namePrefix, engine, createdAfter, createdBefore, n);
    }
}
