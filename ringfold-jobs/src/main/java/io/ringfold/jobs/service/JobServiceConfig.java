package io.ringfold.jobs.service;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How a job service runs jobs.
 *
 * @param ringfold      the command that starts {@code ringfold} (the JVM, its options and the main class);
 *                      {@code train ...} or {@code launch ...} follows it
 * @param dataDir       where each job gets a working directory ({@code DIR/work/ID}) for its output
 * @param repository    the serving repository a finished job publishes its model into, or null
 * @param owner         this service's instance id, stable across restarts, so that it takes back its own jobs
 * @param maxRunning    jobs run at once
 * @param maxQueued     jobs waiting at most; more are refused with 503
 * @param poll          how often the queue, the heartbeats and the cancel requests are looked at
 * @param staleAfter    a heartbeat older than this marks another service as dead and its jobs as orphans
 */
public record JobServiceConfig(List<String> ringfold, Path dataDir, Path repository, String owner, int maxRunning,
                               int maxQueued, Duration poll, Duration staleAfter) {

    public JobServiceConfig {
        ringfold = List.copyOf(ringfold);
        if (ringfold.isEmpty()) {
            throw new IllegalArgumentException("ringfold command: empty (expected: the JVM and main class to start)");
        }
        if (maxRunning < 1) {
            throw new IllegalArgumentException("maxRunning: " + maxRunning + " (expected: > 0)");
        }
        if (maxQueued < 1) {
            throw new IllegalArgumentException("maxQueued: " + maxQueued + " (expected: > 0)");
        }
        if (poll.isNegative() || poll.isZero() || staleAfter.compareTo(poll.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("poll " + poll + ", staleAfter " + staleAfter
                    + " (expected: poll > 0 and staleAfter at least three polls)");
        }
    }
}
