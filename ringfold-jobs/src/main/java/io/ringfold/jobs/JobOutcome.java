package io.ringfold.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How a running job ended, as its owner reports it: succeeded with a result (the summary {@code train}
 * prints) and the model version it published, or failed or cancelled with a reason.
 *
 * @param publishedVersion the version published under the spec's {@code publish} model, or null
 */
public record JobOutcome(JobState state, String reason, ObjectNode result, Long publishedVersion) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public JobOutcome {
        if (state == null || !state.isFinished()) {
            throw new IllegalArgumentException("outcome state: " + state + " (expected: SUCCEEDED, FAILED or CANCELLED)");
        }
        if (state != JobState.SUCCEEDED && (reason == null || reason.isBlank())) {
            throw new IllegalArgumentException("reason: " + Names.quote(reason) + " (expected: why the job " + state
                    + ", in a line)");
        }
        if (publishedVersion != null && (state != JobState.SUCCEEDED || publishedVersion < 1)) {
            throw new IllegalArgumentException("published version: " + publishedVersion + " for a " + state
                    + " job (expected: >= 1, and only for SUCCEEDED)");
        }
        result = result == null ? JSON.createObjectNode() : result.deepCopy();
    }

    public static JobOutcome succeeded(ObjectNode result, Long publishedVersion) {
        return new JobOutcome(JobState.SUCCEEDED, null, result, publishedVersion);
    }

    public static JobOutcome failed(String reason) {
        return new JobOutcome(JobState.FAILED, reason, null, null);
    }

    public static JobOutcome cancelled(String reason) {
        return new JobOutcome(JobState.CANCELLED, reason, null, null);
    }

    @Override
    public ObjectNode result() {
        return result.deepCopy();
    }
}
