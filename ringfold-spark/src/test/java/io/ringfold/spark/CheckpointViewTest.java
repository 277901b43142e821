package io.ringfold.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ranks of a retried stage compare what they see of the checkpoint before resuming. (That they agree
 * when they share the directory is shown end to end by FaultToleranceTest and the cluster kill test.)
 */
class CheckpointViewTest {

    @TempDir
    Path dir;

    @Test
    void viewIsTheFilesSha256WhenResumingAbsentWithoutAFileAndNothingOtherwise() throws Exception {
        Path file = dir.resolve("checkpoint.rfm");
        Files.writeString(file, "abc", StandardCharsets.US_ASCII);
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        assertThat(CheckpointView.of(file, true))
                .isEqualTo("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(CheckpointView.of(file, false)).isEqualTo(CheckpointView.NOT_RESUMING);
        assertThat(CheckpointView.of(dir.resolve("none.rfm"), true)).isEqualTo(CheckpointView.ABSENT);
        assertThat(CheckpointView.of(null, false)).isEqualTo(CheckpointView.NOT_RESUMING);
    }

    @Test
    void ranksThatSeeDifferentCheckpointsAreNamedWithTheirViews() {
        assertThat(CheckpointView.disagreement("/ckpt", new String[] {"sha256:aa", "sha256:aa"})).isNull();
        assertThat(CheckpointView.disagreement("/ckpt", new String[] {"-", "-", "-"})).isNull();
        assertThat(CheckpointView.disagreement("/ckpt", new String[] {"sha256:aa", "absent"})).isEqualTo(
                "checkpointDir /ckpt: the tasks resuming a retried stage see different checkpoints (rank 0: "
                        + "sha256:aa, rank 1: absent; expected: the same file on every executor, so a directory "
                        + "they all share)");
        assertThat(CheckpointView.disagreement("/ckpt", new String[] {"sha256:aa", "sha256:aa", "sha256:bb"}))
                .contains("rank 2: sha256:bb;");
    }
}
