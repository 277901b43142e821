package io.ringfold.jobs.service;

import java.util.List;

/**
 * Checks a job's command line ({@code train ...} or {@code preprocess ...}, the command first) as the command itself
 * would, without running it, so that a job that would be refused is refused at submission with the same one-line
 * message. The command line provides it.
 */
@FunctionalInterface
public interface ArgumentCheck {

    /** Throws IllegalArgumentException with the command's own message when it would refuse {@code commandLine}. */
    void check(List<String> commandLine);

    /** Accepts everything (for tests of the service alone). */
    ArgumentCheck NONE = commandLine -> { };
}
