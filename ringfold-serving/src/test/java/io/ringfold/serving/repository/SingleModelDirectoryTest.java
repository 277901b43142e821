package io.ringfold.serving.repository;

import io.ringfold.io.ModelLimits;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.backend.onnx.OnnxFixtures;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * One model's directory served as a repository of that model alone, as KServe mounts a model at /mnt/models:
 * the model file itself (version 1) or version directories, with the model's config.json beside them.
 */
class SingleModelDirectoryTest {

    @TempDir
    Path dir;

    private ModelRepository repository;

    @AfterEach
    void close() throws Exception {
        if (repository != null) {
            repository.close(2000);
        }
    }

    private ModelRepository open(String name) {
        repository = ModelRepository.singleModel(dir, name, new BatchingConfig(false, 8, 0, 16, 1), new ServingMetrics(),
                Blas.get(), ModelLimits.defaults());
        repository.poll();
        return repository;
    }

    @Test
    void theModelFileItselfIsVersionOne() throws Exception {
        Files.copy(OnnxFixtures.file("mlp.onnx"), dir.resolve("model.onnx"));
        ModelRepository r = open("flowers");
        assertThat(r.modelNames()).containsExactly("flowers");
        assertThat(r.versions("flowers").keySet()).containsExactly(1L);
        ServedVersion v = r.resolve("flowers", null, null);
        assertThat(v.signature().platform()).isEqualTo("onnxruntime_onnx");
        assertThat(v.acquire()).isTrue();
        try {
            List<Tensor> out = v.infer(List.of(Tensor.ofFloats(v.signature().inputs().get(0).name(), new long[] {1, 4},
                    new float[] {1, 2, 3, 4}))).get(30, TimeUnit.SECONDS);
            assertThat(out.get(0).shape()).containsExactly(1, 3);
        } finally {
            v.release();
        }
    }

    @Test
    void versionDirectoriesAndTheModelsConfigApply() throws Exception {
        TestModels.write(dir.getParent().resolve(dir.getFileName()), "ignored", 1, TestModels.linear());
        Files.createDirectories(dir.resolve("1"));
        Files.createDirectories(dir.resolve("2"));
        Files.move(dir.resolve("ignored/1/model.rfm"), dir.resolve("1/model.rfm"));
        Files.copy(dir.resolve("1/model.rfm"), dir.resolve("2/model.rfm"));
        Files.writeString(dir.resolve("config.json"), "{\"version_policy\": {\"all\": {}}, \"version_labels\": {\"stable\": 1}}");
        ModelRepository r = open("prices");
        assertThat(r.modelNames()).containsExactly("prices");
        assertThat(r.versions("prices").keySet()).containsExactly(1L, 2L);
        assertThat(r.resolve("prices", null, "stable").version()).isEqualTo(1);
        r.unload("prices");
        assertThat(r.versions("prices")).isEmpty();
        r.load("prices");
        assertThat(r.versions("prices").keySet()).containsExactly(1L, 2L);
    }

    @Test
    void theNameMustBeAModelName() {
        assertThatThrownBy(() -> open("../x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model name: '../x'");
    }
}
