package io.ringfold.runs;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.train.EpochMetrics;

import java.nio.file.Path;
import java.util.List;

/**
 * What one training run did, kept next to its model: an id, when it started and how long it took, the
 * command's arguments, the summary (parameters, provenance, evaluation, telemetry, as the JSON the
 * command printed), and the metrics of every epoch.
 *
 * @param id       unique id: start time and the first characters of the parameter digest
 * @param location the model directory the record sits in
 */
public record RunRecord(String id, String startedAt, double durationSeconds, List<String> arguments, ObjectNode summary,
                        List<EpochMetrics> epochs, Path location) {

    public RunRecord {
        arguments = List.copyOf(arguments);
        summary = summary.deepCopy();
        epochs = List.copyOf(epochs);
    }

    @Override
    public ObjectNode summary() {
        return summary.deepCopy();
    }
}
