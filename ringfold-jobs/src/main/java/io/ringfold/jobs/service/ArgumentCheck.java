package io.ringfold.jobs.service;

import java.util.List;

/**
 * Checks a job's {@code train} arguments as {@code train} itself would, without running it, so that a job that
 * would be refused is refused at submission with the same one-line message. The command line provides it.
 */
@FunctionalInterface
public interface ArgumentCheck {

    /** Throws IllegalArgumentException with {@code train}'s own message when it would refuse {@code arguments}. */
    void check(List<String> arguments);

    /** Accepts everything (for tests of the service alone). */
    ArgumentCheck NONE = arguments -> { };
}
