package io.ringfold.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Which environment variables give the rendezvous (torchrun's and Kubeflow PyTorchJob's, an Indexed Job's),
 * their precedence, and the one-line refusal of a partial or malformed environment.
 */
class RendezvousEnvironmentTest {

    private static Optional<RendezvousEnvironment> read(Map<String, String> env) {
        return RendezvousEnvironment.read(env::get);
    }

    private static String refusal(Map<String, String> env) {
        try {
            read(env);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).doesNotContain("\n");
            return e.getMessage();
        }
        throw new AssertionError("accepted: " + env);
    }

    @Test
    void noVariablesAndAnIndexedJobsIndexAloneAskForNothing() {
        assertThat(read(Map.of())).isEmpty();
        assertThat(read(Map.of("JOB_COMPLETION_INDEX", "3", "HOME", "/root"))).isEmpty();
        assertThat(read(Map.of("RANK", " ", "WORLD_SIZE", ""))).as("blank counts as unset").isEmpty();
    }

    @Test
    void torchrunsVariablesAsKubeflowsPyTorchJobSetsThem() {
        RendezvousEnvironment r = read(Map.of("RANK", "2", "WORLD_SIZE", "4", "MASTER_ADDR", "train-master-0",
                "MASTER_PORT", "23456")).orElseThrow();
        assertThat(r).isEqualTo(new RendezvousEnvironment(2, 4, "train-master-0:23456",
                List.of("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")));
        assertThat(r.describe()).isEqualTo("rendezvous from the environment (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT): "
                + "rank 2 of 4 at train-master-0:23456");
    }

    @Test
    void anIndexedJobsIndexIsTheRankAndRingfoldsOwnNamesWin() {
        assertThat(read(Map.of("JOB_COMPLETION_INDEX", "1", "WORLD_SIZE", "3", "MASTER_ADDR", "t-0.t",
                "MASTER_PORT", "29500")).orElseThrow())
                .isEqualTo(new RendezvousEnvironment(1, 3, "t-0.t:29500",
                        List.of("JOB_COMPLETION_INDEX", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")));
        // RANK over JOB_COMPLETION_INDEX; RINGFOLD_WORLD_SIZE over WORLD_SIZE; RINGFOLD_RENDEZVOUS over MASTER_*.
        assertThat(read(Map.of("JOB_COMPLETION_INDEX", "1", "RANK", "0", "WORLD_SIZE", "8", "RINGFOLD_WORLD_SIZE", "2",
                "RINGFOLD_RENDEZVOUS", "r-0.r:7000", "MASTER_ADDR", "elsewhere", "MASTER_PORT", "1")).orElseThrow())
                .isEqualTo(new RendezvousEnvironment(0, 2, "r-0.r:7000",
                        List.of("RANK", "RINGFOLD_WORLD_SIZE", "RINGFOLD_RENDEZVOUS")));
        assertThat(read(Map.of("RANK", "0", "WORLD_SIZE", "2", "MASTER_ADDR", "::1", "MASTER_PORT", "7000"))
                .orElseThrow().rendezvous()).as("an IPv6 literal is bracketed").isEqualTo("[::1]:7000");
    }

    @Test
    void aPartialEnvironmentNamesTheMissingVariable() {
        assertThat(refusal(Map.of("MASTER_ADDR", "m", "MASTER_PORT", "1", "WORLD_SIZE", "2")))
                .isEqualTo("RANK: not set (expected: this worker's rank, or JOB_COMPLETION_INDEX in an Indexed Job, "
                        + "with WORLD_SIZE, MASTER_ADDR, MASTER_PORT set)");
        assertThat(refusal(Map.of("JOB_COMPLETION_INDEX", "0", "MASTER_ADDR", "m", "MASTER_PORT", "1")))
                .isEqualTo("WORLD_SIZE: not set (expected: the number of workers, or RINGFOLD_WORLD_SIZE, "
                        + "with MASTER_ADDR, MASTER_PORT set)");
        assertThat(refusal(Map.of("RANK", "0", "WORLD_SIZE", "2", "MASTER_PORT", "1")))
                .isEqualTo("MASTER_ADDR: not set (expected: rank 0's host name, with MASTER_PORT, or "
                        + "RINGFOLD_RENDEZVOUS=HOST:PORT)");
        assertThat(refusal(Map.of("RANK", "0", "WORLD_SIZE", "2", "MASTER_ADDR", "m")))
                .isEqualTo("MASTER_PORT: not set (expected: the port rank 0 listens on, with MASTER_ADDR m)");
    }

    @Test
    void aMalformedVariableIsNamedWithItsValueAndTheExpectation() {
        Map<String, String> good = Map.of("RANK", "1", "WORLD_SIZE", "2", "MASTER_ADDR", "m", "MASTER_PORT", "7000");
        assertThat(refusal(with(good, "RANK", "one"))).isEqualTo("RANK: one (expected: an integer >= 0)");
        assertThat(refusal(with(good, "RANK", "-1"))).isEqualTo("RANK: -1 (expected: an integer >= 0)");
        assertThat(refusal(with(good, "RANK", "2"))).isEqualTo("RANK: 2 (expected: < WORLD_SIZE, 2)");
        assertThat(refusal(with(good, "WORLD_SIZE", "0"))).isEqualTo("WORLD_SIZE: 0 (expected: an integer >= 1)");
        assertThat(refusal(with(good, "WORLD_SIZE", "99999999999"))).isEqualTo("WORLD_SIZE: 99999999999 (expected: an integer >= 1)");
        assertThat(refusal(with(good, "MASTER_PORT", "70000"))).isEqualTo("MASTER_PORT: 70000 (expected: a port, 1..65535)");
        assertThat(refusal(with(good, "MASTER_PORT", "http"))).isEqualTo("MASTER_PORT: http (expected: a port, 1..65535)");
        assertThat(refusal(with(good, "RINGFOLD_RENDEZVOUS", "m"))).isEqualTo("RINGFOLD_RENDEZVOUS: address: 'm' (expected: host:port)");
        assertThatThrownBy(() -> read(Map.of("JOB_COMPLETION_INDEX", "x", "WORLD_SIZE", "2", "MASTER_ADDR", "m",
                "MASTER_PORT", "1"))).hasMessage("JOB_COMPLETION_INDEX: x (expected: an integer >= 0)");
    }

    private static Map<String, String> with(Map<String, String> env, String name, String value) {
        java.util.HashMap<String, String> copy = new java.util.HashMap<>(env);
        copy.put(name, value);
        return copy;
    }
}
