package io.ringfold.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;

/**
 * One job as the store has it: the spec as submitted, where it stands, who runs it and how far it got.
 *
 * @param id               the store's number for it, from 1
 * @param reason           why it FAILED or was CANCELLED (one line), or null
 * @param cancelRequested  a cancel was asked for while it ran; its owner stops it and finishes it CANCELLED
 * @param startedAt        when the current attempt was claimed, or null while queued
 * @param finishedAt       when it finished, or null
 * @param attempts         how many times a service took it to run: each claim and each take-over from a dead service
 * @param owner            the service instance running it (kept after it finishes, to say who ran it), or null
 * @param heartbeatAt      the owner's last sign of life while it runs, or null
 * @param result           what {@code train} reported when it succeeded (empty otherwise)
 * @param publishedVersion the model version it published, or null
 * @param sourceRun        the run id of the file run record it was imported from, or null for a submitted job
 */
public record Job(long id, JobSpec spec, JobState state, String reason, boolean cancelRequested, Instant createdAt,
                  Instant startedAt, Instant finishedAt, int attempts, String owner, Instant heartbeatAt,
                  JobProgress progress, ObjectNode result, Long publishedVersion, String sourceRun) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public Job {
        result = result.deepCopy();
    }

    @Override
    public ObjectNode result() {
        return result.deepCopy();
    }

    /** The job as the API shows it; instants as ISO-8601 UTC, absent values left out. */
    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.set("spec", spec.toJson());
        n.put("state", state.name());
        putIfPresent(n, "reason", reason);
        n.put("cancel_requested", cancelRequested);
        n.put("created_at", createdAt.toString());
        putIfPresent(n, "started_at", startedAt);
        putIfPresent(n, "finished_at", finishedAt);
        n.put("attempts", attempts);
        putIfPresent(n, "owner", owner);
        putIfPresent(n, "heartbeat_at", heartbeatAt);
        n.set("progress", progress.toJson());
        n.set("result", result.deepCopy());
        if (publishedVersion != null) {
            n.put("published_version", publishedVersion);
        }
        putIfPresent(n, "source_run", sourceRun);
        return n;
    }

    private static void putIfPresent(ObjectNode n, String field, Object value) {
        if (value != null) {
            n.put(field, value.toString());
        }
    }
}
