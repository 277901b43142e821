package io.ringfold.jobs.store;

import java.util.Set;

/**
 * What a heartbeat learned: the jobs the caller still owns (those it asked about and is missing were taken
 * over or finished by someone else: it must stop them), and those of them with a cancel request.
 */
public record HeartbeatReply(Set<Long> owned, Set<Long> cancelRequested) {

    public HeartbeatReply {
        owned = Set.copyOf(owned);
        cancelRequested = Set.copyOf(cancelRequested);
    }
}
