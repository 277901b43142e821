package io.ringfold.serving.repository;

import io.ringfold.io.ModelLimits;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.backend.onnx.OnnxFixtures;
import io.ringfold.serving.backend.onnx.OnnxOptions;
import io.ringfold.serving.backend.onnx.OnnxServable;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

/** model.onnx versions in the repository: served, and a corrupt or oversized new one refused while the previous one serves. */
class OnnxRepositoryTest {

    private static final BatchingConfig BATCHING = new BatchingConfig(true, 8, 0, 16, 1);

    @TempDir
    Path repo;

    private final ServingMetrics metrics = new ServingMetrics();
    private ModelRepository repository;

    private ModelRepository open(ModelLimits limits) {
        repository = new ModelRepository(repo, BATCHING, metrics, Blas.get(), limits);
        return repository;
    }

    @AfterEach
    void close() throws InterruptedException {
        if (repository != null) {
            repository.close(5000);
        }
    }

    private static List<Tensor> row() {
        return List.of(Tensor.ofFloats("features", new long[] {1, 4}, new float[] {1, 2, 3, 4}));
    }

    @Test
    void aCorruptVersionTwoIsRefusedWithTheRuntimesReasonAndVersionOneKeepsServing() throws Exception {
        OnnxFixtures.install(repo, "m", 1, "mlp");
        ModelRepository r = open(ModelLimits.defaults());
        r.poll();
        ServedVersion v1 = r.resolve("m", null, null);
        assertThat(v1.version()).isEqualTo(1);
        assertThat(v1.signature().platform()).isEqualTo(OnnxServable.PLATFORM);
        List<Tensor> before = v1.infer(row()).get(10, TimeUnit.SECONDS);

        Path v2 = OnnxFixtures.install(repo, "m", 2, "mlp");
        byte[] b = Files.readAllBytes(v2);
        Files.write(v2, Arrays.copyOf(b, b.length - 100));
        r.poll();
        r.poll(); // unchanged file: not retried, not counted again
        assertThat(r.resolve("m", null, null).version()).isEqualTo(1);
        assertThat(r.resolve("m", null, null).infer(row()).get(10, TimeUnit.SECONDS).get(0).floats())
                .containsExactly(before.get(0).floats());
        assertThat(metrics.loadFailures("m")).isEqualTo(1);
        assertThat(r.states("m")).extracting(VersionState::version, VersionState::available)
                .containsExactly(tuple(1L, true), tuple(2L, false));
        assertThat(r.states("m").get(1).reason()).contains(v2 + ": ONNX Runtime refused it: ");
    }

    @Test
    void aVersionLargerThanTheLimitIsRefusedNamingSizeAndLimit() throws Exception {
        OnnxFixtures.install(repo, "m", 1, "mlp");
        Path v2 = OnnxFixtures.install(repo, "m", 2, "cnn");
        long limit = Files.size(v2) - 1;
        ModelRepository r = open(ModelLimits.defaults().withMaxFileBytes(limit));
        r.poll();
        assertThat(r.resolve("m", null, null).version()).isEqualTo(1);
        assertThat(r.states("m").get(1).reason()).contains(v2 + ": file of " + Files.size(v2) + " bytes (expected: at most "
                + limit + ", the limit on model file bytes)");
    }

    @Test
    void aVersionDirectoryWithBothModelFilesIsRefusedNamingBoth() throws Exception {
        TestModels.write(repo, "m", 1, TestModels.linear());
        OnnxFixtures.install(repo, "m", 2, "mlp");
        TestModels.write(repo, "m", 2, TestModels.linear());
        ModelRepository r = open(ModelLimits.defaults());
        r.poll();
        assertThat(r.resolve("m", null, null).version()).isEqualTo(1);
        assertThat(r.states("m").get(1).reason()).contains(repo.resolve("m/2")
                + ": holds both model.rfm and model.onnx (expected: one model file)");
    }

    @Test
    void configJsonSetsTheSessionOptionsAndRefusesUnknownOnes() throws Exception {
        OnnxFixtures.install(repo, "m", 1, "mlp");
        Files.writeString(repo.resolve("m/config.json"),
                "{\"onnx\": {\"intra_op_threads\": 2, \"optimization_level\": \"basic\"}}");
        assertThat(ModelConfig.read(repo.resolve("m"), BATCHING).onnx()).isEqualTo(new OnnxOptions(2, 1, "basic"));
        ModelRepository r = open(ModelLimits.defaults());
        r.poll();
        assertThat(r.resolve("m", null, null).servable().describe())
                .endsWith("intra_op_threads 2, inter_op_threads 1, optimization_level basic");

        Files.writeString(repo.resolve("m/config.json"), "{\"onnx\": {\"threads\": 2}}");
        assertThatThrownBy(() -> ModelConfig.read(repo.resolve("m"), BATCHING))
                .hasMessage(repo.resolve("m/config.json") + ": onnx.threads: unknown field (expected: one of"
                        + " [inter_op_threads, intra_op_threads, optimization_level])");
        Files.writeString(repo.resolve("m/config.json"), "{\"onnx\": {\"optimization_level\": \"max\"}}");
        assertThatThrownBy(() -> ModelConfig.read(repo.resolve("m"), BATCHING))
                .hasMessage(repo.resolve("m/config.json") + ": onnx.optimization_level: 'max' (expected: one of"
                        + " [all, basic, disable, extended])");
        Files.writeString(repo.resolve("m/config.json"), "{\"onnx\": {\"inter_op_threads\": 1000}}");
        assertThatThrownBy(() -> ModelConfig.read(repo.resolve("m"), BATCHING))
                .hasMessage(repo.resolve("m/config.json") + ": onnx.inter_op_threads: 1000 (expected: 0 to 256, 0 for"
                        + " ONNX Runtime's choice)");
    }
}
