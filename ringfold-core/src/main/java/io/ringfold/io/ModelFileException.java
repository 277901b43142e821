package io.ringfold.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that is not a readable Ringfold model: foreign, written by a newer format version, truncated,
 * corrupt or inconsistent. It is a checked {@link IOException} because callers that open a file
 * already handle I/O failures, and a bad file is one of them; the message is one line that names the
 * file and the problem.
 */
public final class ModelFileException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public ModelFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public ModelFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file that could not be read. */
    public Path file() {
        return file;
    }
}
