package io.ringfold.parallel;

import java.nio.file.Path;

/**
 * Where and how often rank 0 writes a checkpoint, and whether to resume from one. A checkpoint is
 * written after every {@code everySteps} optimizer steps and at the end of every {@code everyEpochs}
 * epochs (0 = never for that unit), always atomically, replacing the previous one.
 */
public record CheckpointPolicy(Path directory, int everySteps, int everyEpochs, boolean resume) {

    public static final String FILE_NAME = "checkpoint.rfm";

    public CheckpointPolicy {
        if (everySteps < 0) {
            throw new IllegalArgumentException("checkpointEverySteps: " + everySteps + " (expected: >= 0)");
        }
        if (everyEpochs < 0) {
            throw new IllegalArgumentException("checkpointEveryEpochs: " + everyEpochs + " (expected: >= 0)");
        }
        if (directory == null && (everySteps > 0 || everyEpochs > 0 || resume)) {
            throw new IllegalArgumentException("checkpoint directory: none (expected: a directory to write to or resume from)");
        }
    }

    public static CheckpointPolicy none() {
        return new CheckpointPolicy(null, 0, 0, false);
    }

    public Path file() {
        return directory.resolve(FILE_NAME);
    }

    boolean dueAfterStep(long globalStep) {
        return directory != null && everySteps > 0 && globalStep % everySteps == 0;
    }

    boolean dueAfterEpoch(int epochsDone) {
        return directory != null && everyEpochs > 0 && epochsDone % everyEpochs == 0;
    }
}
