package io.ringfold.serving.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfold.serving.GatedBlas;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/** Every version state the models view reports, straight from a repository (no server). */
class ModelsViewTest {

    @TempDir
    Path root;

    private ModelRepository repo;
    private final AtomicBoolean ready = new AtomicBoolean();

    @BeforeEach
    void setUp() throws Exception {
        TestModels.write(root, "iris", 1, TestModels.softmax(1));
        TestModels.write(root, "iris", 2, TestModels.softmax(2));
        repo = new ModelRepository(root, new BatchingConfig(true, 4, 0, 16, 1), new ServingMetrics(), Blas.get());
    }

    @AfterEach
    void tearDown() {
        repo.close();
    }

    private JsonNode iris() {
        JsonNode models = new ModelsView(repo, ready::get).models().get("models");
        assertThat(models).hasSize(1);
        return models.get(0);
    }

    private static String states(JsonNode model) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode v : model.get("versions")) {
            sb.append(v.get("version").asLong()).append(':').append(v.get("state").asText()).append(' ');
        }
        return sb.toString().strip();
    }

    @Test
    void whileTheFirstScanWarmsAModelItIsLoading() throws Exception {
        // The warm-up prediction waits at the gate, so the scan is held with the model known and nothing serving.
        GatedBlas gate = new GatedBlas();
        gate.close();
        ModelRepository starting = new ModelRepository(root, new BatchingConfig(true, 4, 0, 16, 1), new ServingMetrics(), gate);
        Thread scan = new Thread(starting::poll, "first-scan");
        scan.start();
        try {
            gate.awaitWaiting(1);
            JsonNode models = new ModelsView(starting, () -> false).models();
            assertThat(models.get("ready").booleanValue()).isFalse();
            JsonNode iris = models.get("models").get(0);
            assertThat(iris.get("state").asText()).isEqualTo("loading");
            assertThat(states(iris)).isEqualTo("2:loading 1:loading");
        } finally {
            gate.open();
            scan.join(10_000);
            starting.close();
        }
        assertThat(scan.isAlive()).isFalse();
    }

    @Test
    void theDefaultPolicyServesTheLatestAndTheOtherIsNotServed() {
        repo.poll();
        ready.set(true);
        JsonNode iris = iris();
        assertThat(iris.get("state").asText()).isEqualTo("ready");
        assertThat(states(iris)).isEqualTo("2:ready 1:not served");
        assertThat(iris.get("versions").get(1).get("reason").asText()).contains("version policy");
        assertThat(iris.get("versions").get(1).has("architecture")).isFalse();
        assertThat(iris.get("versions").get(0).get("requests").toString()).isEqualTo("{\"success\":0,\"failure\":0}");
    }

    @Test
    void anUnloadedModelSaysSo() {
        repo.poll();
        ready.set(true);
        repo.unload("iris");
        JsonNode iris = iris();
        assertThat(iris.get("state").asText()).isEqualTo("unloaded");
        assertThat(states(iris)).isEqualTo("2:unloaded 1:unloaded");
    }

    @Test
    void aCorruptNewestVersionFailsWithItsReasonWhileTheOlderServes() throws Exception {
        TestModels.writeCorrupt(root, "iris", 3);
        repo.poll();
        ready.set(true);
        JsonNode iris = iris();
        assertThat(iris.get("state").asText()).isEqualTo("ready");
        assertThat(states(iris)).isEqualTo("3:failed 2:ready 1:not served");
        assertThat(iris.get("versions").get(0).get("reason").asText()).isNotEmpty();
    }
}
