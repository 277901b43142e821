package io.ringfold.jobs;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;

import static io.ringfold.jobs.JobState.CANCELLED;
import static io.ringfold.jobs.JobState.FAILED;
import static io.ringfold.jobs.JobState.QUEUED;
import static io.ringfold.jobs.JobState.RUNNING;
import static io.ringfold.jobs.JobState.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobStateTest {

    /** The table in JobState's Javadoc, written out move by move: every pair not listed is illegal. */
    @Test
    void legalMovesAreExactlyTheDocumentedOnes() {
        EnumSet<JobState> none = EnumSet.noneOf(JobState.class);
        assertThat(QUEUED.successors()).containsExactlyInAnyOrder(RUNNING, CANCELLED);
        assertThat(RUNNING.successors()).containsExactlyInAnyOrder(SUCCEEDED, FAILED, CANCELLED, QUEUED);
        assertThat(FAILED.successors()).containsExactly(QUEUED);
        assertThat(CANCELLED.successors()).containsExactly(QUEUED);
        assertThat(SUCCEEDED.successors()).isEqualTo(none);
        for (JobState s : JobState.values()) {
            assertThat(s.canMoveTo(s)).as(s + " to itself").isFalse();
            assertThat(s.isFinished()).isEqualTo(s == SUCCEEDED || s == FAILED || s == CANCELLED);
        }
    }

    @Test
    void statesAreReadCaseInsensitively() {
        assertThat(JobState.fromId("running")).isEqualTo(RUNNING);
        assertThatThrownBy(() -> JobState.fromId("DONE"))
                .hasMessage("state: 'DONE' (expected: one of QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED)");
    }
}
