package io.ringfold.runs;

import java.io.IOException;
import java.util.List;

/**
 * Where run records are kept. File-based by default ({@link FileRunStore}), behind this interface so a
 * database can back it later without touching the commands.
 */
public interface RunStore {

    /** Stores {@code record} (at its location, for file stores). */
    void save(RunRecord record) throws IOException;

    /** Every run found, newest first. */
    List<RunRecord> list() throws IOException;

    /** The run with this id (or a unique prefix of it); a clear error when there is none or several. */
    RunRecord find(String idOrPrefix) throws IOException;
}
