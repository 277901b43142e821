package io.ringfold.cli;

import java.util.List;

/**
 * The job service's check of a job's command line ({@code train ...} or {@code preprocess ...}) before it is queued:
 * the command's own check, so a job is refused with the message the command would print.
 */
final class JobArguments {

    private JobArguments() {
    }

    static void check(List<String> commandLine) {
        String command = commandLine.isEmpty() ? "" : commandLine.get(0);
        List<String> arguments = commandLine.subList(Math.min(1, commandLine.size()), commandLine.size());
        switch (command) {
            case "train" -> TrainCommand.check(arguments);
            case "preprocess" -> PreprocessCommand.check(arguments);
            default -> throw new IllegalArgumentException("command: '" + command + "' (expected: train or preprocess)");
        }
    }
}
