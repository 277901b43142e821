package io.ringfold.jobs;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobOutcomeTest {

    @Test
    void failuresNeedAReasonAndOnlySuccessesPublish() {
        assertThatThrownBy(() -> JobOutcome.failed(" ")).hasMessage("reason: ' ' (expected: why the job FAILED, in a line)");
        assertThatThrownBy(() -> new JobOutcome(JobState.RUNNING, null, null, null))
                .hasMessage("outcome state: RUNNING (expected: SUCCEEDED, FAILED or CANCELLED)");
        assertThatThrownBy(() -> new JobOutcome(JobState.FAILED, "x", null, 2L))
                .hasMessage("published version: 2 for a FAILED job (expected: >= 1, and only for SUCCEEDED)");
        assertThat(JobOutcome.succeeded(null, null).result().isEmpty()).isTrue();
    }
}
