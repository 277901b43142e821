package io.ringfold.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code jobs serve}'s {@code --kubernetes-*} flags: a bad one is told in one line naming the flag before the
 * service opens its store (no cluster is needed for that; the engine itself is tested in ringfold-jobs, against
 * fabric8's mock API server).
 */
class JobsServeKubernetesFlagsTest {

    @TempDir
    Path tmp;

    private CliRunner serve(String... flags) {
        String[] args = new String[4 + flags.length];
        args[0] = "jobs";
        args[1] = "serve";
        args[2] = "--data-dir";
        args[3] = tmp.resolve("data").toString();
        System.arraycopy(flags, 0, args, 4, flags.length);
        return CliRunner.run(args);
    }

    @Test
    void aKubernetesFlagWithoutTheImageIsRefused() {
        CliRunner r = serve("--kubernetes-namespace", "training");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--kubernetes-namespace without --kubernetes-image (expected: the image, to run "
                + "jobs of engine kubernetes)");
        assertThat(Files.exists(tmp.resolve("data"))).as("no store opened").isFalse();
    }

    @Test
    void badValuesAreNamedByTheirFlag() {
        assertThat(serve("--kubernetes-image", "ringfold:0.1.0", "--kubernetes-memory", "lots").err())
                .contains("--kubernetes-memory: 'lots' (expected: a Kubernetes quantity, e.g. 2, 500m or 2Gi)");
        assertThat(serve("--kubernetes-image", "ringfold:0.1.0", "--kubernetes-namespace", "Training").err())
                .contains("--kubernetes-namespace: 'Training' (expected: a Kubernetes name: 1-63 lower-case letters");
        assertThat(serve("--kubernetes-image", "ringfold:0.1.0", "--kubernetes-volume-dir", "volume").err())
                .contains("--kubernetes-volume-dir: volume (expected: an absolute path");
        CliRunner r = serve("--kubernetes-image", "ringfold:0.1.0", "--kubernetes-start-timeout", "0");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--kubernetes-start-timeout: 0 (expected: > 0 seconds)");
        assertThat(Files.exists(tmp.resolve("data"))).as("no store opened").isFalse();
    }
}
