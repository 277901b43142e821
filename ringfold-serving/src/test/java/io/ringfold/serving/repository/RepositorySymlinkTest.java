package io.ringfold.serving.repository;

import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Symbolic links are followed while they stay inside the repository's real path (a Kubernetes ConfigMap
 * or projected volume is a tree of such links) and refused, with the reason, when they lead out of it.
 */
class RepositorySymlinkTest {

    @TempDir
    Path tmp;

    private final ServingMetrics metrics = new ServingMetrics();
    private ModelRepository repository;

    private ModelRepository open(Path root) {
        repository = new ModelRepository(root, new BatchingConfig(true, 8, 0, 16, 1), metrics, Blas.get());
        return repository;
    }

    @AfterEach
    void close() throws InterruptedException {
        if (repository != null) {
            repository.close(2000);
        }
    }

    private String outsideReason(Path repo, String relativeFile) throws Exception {
        return repo.resolve(relativeFile) + ": resolves outside the repository " + repo.toRealPath()
                + " (expected: symbolic links that stay inside it)";
    }

    @Test
    void aModelFileAVersionOrAModelLeadingOutOfTheRepositoryIsRefused() throws Exception {
        Path repo = Files.createDirectory(tmp.resolve("repo"));
        Path elsewhere = Files.createDirectory(tmp.resolve("elsewhere"));
        TestModels.write(elsewhere, "m", 1, TestModels.softmax(1));
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        // iris/2/model.rfm, iris/3 and the whole model "stolen" lead out of the repository.
        Files.createDirectories(repo.resolve("iris/2"));
        Files.createSymbolicLink(repo.resolve("iris/2/model.rfm"), elsewhere.resolve("m/1/model.rfm"));
        Files.createSymbolicLink(repo.resolve("iris/3"), elsewhere.resolve("m/1"));
        Files.createSymbolicLink(repo.resolve("stolen"), elsewhere.resolve("m").getParent());
        Files.writeString(repo.resolve("iris/config.json"), "{\"version_policy\": {\"all\": {}}}");

        ModelRepository r = open(repo);
        r.poll();
        assertThat(r.versions("iris").keySet()).containsExactly(1L);
        assertThat(r.states("iris")).extracting(VersionState::version, VersionState::reason).containsExactly(
                org.assertj.core.groups.Tuple.tuple(1L, ""),
                org.assertj.core.groups.Tuple.tuple(2L, outsideReason(repo, "iris/2/model.rfm")),
                org.assertj.core.groups.Tuple.tuple(3L, outsideReason(repo, "iris/3/model.rfm")));
        assertThat(r.versions("stolen")).isEmpty();
        assertThat(r.index()).filteredOn(s -> s.model().equals("stolen")).extracting(VersionState::reason)
                .containsExactly(outsideReason(repo, "stolen"));
        assertThat(catchThrowable(() -> r.load("stolen"))).isInstanceOf(LoadFailedException.class)
                .hasMessage("model 'stolen': no version loaded (" + outsideReason(repo, "stolen") + ")");
        assertThat(metrics.loadFailures("iris")).isEqualTo(2);
        assertThat(metrics.loadFailures("stolen")).isEqualTo(1);
    }

    /** A ConfigMap mounted at the repository: {@code digits -> ..data/digits}, {@code ..data -> ..2024_06_01_12_00_00.1}. */
    @Test
    void linksStayingInsideAreFollowedAsAKubernetesVolumeLaysThemOut() throws Exception {
        Path repo = Files.createDirectory(tmp.resolve("mount"));
        Path snapshot = repo.resolve("..2024_06_01_12_00_00.1");
        TestModels.write(snapshot, "digits", 1, TestModels.softmax(1));
        Files.createSymbolicLink(repo.resolve("..data"), snapshot.getFileName());
        Files.createSymbolicLink(repo.resolve("digits"), Path.of("..data/digits"));
        // And a version that is a link to another version of the same model.
        Files.createSymbolicLink(snapshot.resolve("digits/2"), Path.of("1"));
        // The repository itself reached through a link, as a re-pointed mount would be.
        Path link = Files.createSymbolicLink(tmp.resolve("models"), repo);

        ModelRepository r = open(link);
        r.poll();
        assertThat(r.modelNames()).containsExactly("digits");
        assertThat(r.versions("digits").keySet()).containsExactly(2L);
        assertThat(r.states("digits")).allMatch(VersionState::available);
        assertThat(metrics.loadFailures("digits")).isZero();
    }
}
