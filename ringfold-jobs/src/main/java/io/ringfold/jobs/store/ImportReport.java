package io.ringfold.jobs.store;

import java.util.List;

/**
 * What {@link JobStore#importRuns} did: records imported, records already in the store, and records refused,
 * one line each naming the file and why.
 */
public record ImportReport(int imported, int alreadyPresent, List<String> refused) {

    public ImportReport {
        refused = List.copyOf(refused);
    }
}
