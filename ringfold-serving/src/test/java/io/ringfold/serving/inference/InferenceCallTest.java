package io.ringfold.serving.inference;

import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class InferenceCallTest {

    @TempDir
    Path dir;

    @Test
    void theRequestDurationRunsFromTheArrivalTheProtocolGivesSoReadingTheBodyCounts() throws Exception {
        Path repoDir = Files.createDirectory(dir.resolve("repo"));
        TestModels.write(repoDir, "iris", 1, TestModels.softmax(1));
        ModelRepository repo = new ModelRepository(repoDir, BatchingConfig.defaults(), new ServingMetrics(), Blas.get());
        try {
            repo.poll();
            ServingMetrics.Series metrics = repo.resolve("iris", null, null).metrics();
            long before = metrics.successNanos();
            // As if reading the request's body had taken 300 ms before the model was called.
            long arrived = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(300);
            List<Tensor> out = InferenceCall.run(repo, new InferenceCall.Target("iris", null, null), arrived,
                    sv -> List.of(Tensor.ofFloats("input", new long[]{1, 2}, new float[]{1, 0})), (sv, o) -> o)
                    .get(20, TimeUnit.SECONDS);
            assertThat(out).isNotEmpty();
            assertThat(metrics.successNanos() - before).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        } finally {
            repo.close(5_000);
        }
    }
}
