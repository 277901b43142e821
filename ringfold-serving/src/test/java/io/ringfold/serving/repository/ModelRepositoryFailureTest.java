package io.ringfold.serving.repository;

import io.ringfold.io.ModelLimits;
import io.ringfold.serving.backend.Servable;
import io.ringfold.serving.batching.BatchObserver;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Failures no honest file produces, injected through {@link RepositoryTree} (the repository's only way to
 * the file system): errors thrown while loading a version, and a directory that cannot be listed. The
 * listing error is injected because the tests run as root, whom no file mode keeps from listing a
 * directory; the failure seen in production was descriptors running out.
 */
class ModelRepositoryFailureTest {

    @TempDir
    Path repo;

    private final ServingMetrics metrics = new ServingMetrics();
    private FaultyTree tree;
    private ModelRepository repository;

    @BeforeEach
    void plantNothing() {
        tree = new FaultyTree();
    }

    /** The real tree, except where a test has planted a failure. */
    private final class FaultyTree extends RepositoryTree {
        /** "model/version" → what loading it throws. */
        final Map<String, Error> loadErrors = new ConcurrentHashMap<>();
        volatile IOException listVersionsError;
        volatile IOException listModelsError;

        FaultyTree() {
            super(repo, ModelLimits.defaults());
        }

        @Override
        Servable load(String model, long version, ModelConfig config, Blas blas, BatchObserver observer)
                throws IOException {
            Error e = loadErrors.get(model + "/" + version);
            if (e != null) {
                throw e;
            }
            return super.load(model, version, config, blas, observer);
        }

        @Override
        Map<Long, String> versions(String model) throws IOException {
            IOException e = listVersionsError;
            if (e != null) {
                throw e;
            }
            return super.versions(model);
        }

        @Override
        List<String> models() throws IOException {
            IOException e = listModelsError;
            if (e != null) {
                throw e;
            }
            return super.models();
        }
    }

    private ModelRepository open() {
        repository = new ModelRepository(tree, new BatchingConfig(true, 8, 0, 16, 1), metrics, Blas.get());
        return repository;
    }

    @AfterEach
    void close() throws InterruptedException {
        if (repository != null) {
            repository.close(2000);
        }
    }

    @Test
    void errorsWhileLoadingAreContainedCountedAndTheNextPollGoesOn() throws Exception {
        TestModels.write(repo, "a-model", 1, TestModels.linear());
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        ModelRepository r = open();
        r.poll();
        assertThat(r.resolve("iris", null, null).version()).isEqualTo(1);

        // A stack overflow in the model scanned first must not keep the next one from its new version.
        TestModels.write(repo, "a-model", 2, TestModels.linear());
        TestModels.write(repo, "iris", 2, TestModels.softmax(2));
        tree.loadErrors.put("a-model/2", new StackOverflowError());
        tree.loadErrors.put("iris/2", new OutOfMemoryError("Java heap space"));
        r.poll();
        assertThat(r.resolve("a-model", null, null).version()).isEqualTo(1);
        assertThat(r.resolve("iris", null, null).version()).isEqualTo(1);
        assertThat(metrics.loadFailures("a-model")).isEqualTo(1);
        assertThat(metrics.loadFailures("iris")).isEqualTo(1);
        assertThat(r.states("a-model")).extracting(VersionState::version, VersionState::available, VersionState::reason)
                .containsExactly(tuple(1L, true, ""), tuple(2L, false, "java.lang.StackOverflowError"));
        assertThat(r.states("iris").get(1).reason()).isEqualTo("java.lang.OutOfMemoryError: Java heap space");

        // The poller is still polling: a later good version is picked up.
        TestModels.write(repo, "iris", 3, TestModels.softmax(3));
        r.poll();
        assertThat(r.resolve("iris", null, null).version()).isEqualTo(3);
        assertThat(metrics.loadFailures("iris")).as("the failed version is not retried while unchanged").isEqualTo(1);
    }

    @Test
    void anErrorLoadingTheOnlyVersionThroughTheApiNamesIt() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        tree.loadErrors.put("iris/1", new OutOfMemoryError("Java heap space"));
        ModelRepository r = open();
        r.poll();
        assertThat(r.versions("iris")).isEmpty();
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> r.load("iris")))
                .isInstanceOf(LoadFailedException.class)
                .hasMessage("model 'iris': no version loaded (java.lang.OutOfMemoryError: Java heap space)");
        tree.loadErrors.clear();
        r.load("iris");
        assertThat(r.resolve("iris", null, null).version()).isEqualTo(1);
    }

    @Test
    void aListingErrorKeepsTheServingVersions() throws Exception {
        for (int v = 1; v <= 2; v++) {
            TestModels.write(repo, "m", v, TestModels.linear());
        }
        Files.writeString(repo.resolve("m/config.json"), "{\"version_policy\": {\"all\": {}}}");
        ModelRepository r = open();
        r.poll();
        ServedVersion v2 = r.resolve("m", 2L, null);

        tree.listVersionsError = new IOException(repo.resolve("m") + ": Too many open files");
        r.poll();
        r.poll();
        assertThat(r.versions("m").keySet()).containsExactly(1L, 2L);
        assertThat(v2.isRetired()).isFalse();
        assertThat(r.resolve("m", null, null).version()).isEqualTo(2);

        tree.listModelsError = new IOException(repo + ": Too many open files");
        r.poll();
        assertThat(r.modelNames()).containsExactly("m");
        assertThat(r.versions("m").keySet()).containsExactly(1L, 2L);
        assertThat(metrics.loadFailures("m")).as("a listing error is no failed load").isZero();

        // Once the directory reads again, a version really removed is retired.
        tree.listVersionsError = null;
        tree.listModelsError = null;
        deleteTree(repo.resolve("m/2"));
        r.poll();
        assertThat(r.versions("m").keySet()).containsExactly(1L);
        assertThat(v2.isRetired()).isTrue();
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
