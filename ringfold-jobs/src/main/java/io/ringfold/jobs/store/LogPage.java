package io.ringfold.jobs.store;

import java.util.List;

/**
 * Consecutive lines of a job's log: {@code first} is the number of the first one (later than the number asked
 * for when the cap dropped older lines), {@code next} the number to ask for to read on.
 */
public record LogPage(long first, List<String> lines, long next) {

    public LogPage {
        lines = List.copyOf(lines);
    }
}
