package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pipeline stages train a network that one worker cannot hold: 8.5 million parameters (three dense(2048)
 * layers), whose parameters, Adam state, per-shard gradients and exchange buffers take about 300 MiB in one
 * worker. With every worker's heap capped at 256 MiB, one process runs out of memory, while 2 and 4 stages as
 * processes, which hold the parameters between them once, train to the digest of an unconstrained worker.
 */
class PipelineMemoryTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HEAP = "-Xmx256m";

    @TempDir
    Path tmp;

    private static List<String> train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", "digits", "--layers",
                "flatten,dense(2048),relu,dense(2048),relu,dense(2048),relu", "--epochs", "1", "--batch-size", "64",
                "--shards", "2", "--optimizer", "adam", "--lr", "0.001", "--seed", "3", "--json", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    private static CliRunner launch(int nproc, List<String> train) {
        List<String> a = new ArrayList<>(List.of("launch", "--nproc", Integer.toString(nproc), "--jvm-option=" + HEAP,
                "--"));
        a.addAll(train);
        return CliRunner.run(a.toArray(String[]::new));
    }

    @Test
    void stagesTrainANetworkOneWorkerCannotHold() throws Exception {
        CliRunner whole = CliRunner.run(train(tmp.resolve("unconstrained"), "--workers", "1").toArray(String[]::new));
        assertThat(whole.status()).as(whole.err()).isZero();
        String expected = JSON.readTree(whole.lastLine()).get("parameter_digest").asText();

        CliRunner one = launch(1, train(tmp.resolve("one")));
        assertThat(one.status()).as("one worker within " + HEAP).isNotZero();
        assertThat(one.out() + one.err()).contains("OutOfMemoryError");

        for (int stages : new int[] {2, 4}) {
            CliRunner r = launch(stages, train(tmp.resolve("s" + stages), "--pipeline-stages", Integer.toString(stages),
                    "--micro-batches", "2"));
            assertThat(r.status()).as("%d stages: %s", stages, r.err()).isZero();
            JsonNode result = JSON.readTree(r.lastLine());
            assertThat(result.get("parameter_digest").asText()).as("%d stages", stages).isEqualTo(expected);
            JsonNode telemetry = result.get("pipeline").get("stage_telemetry");
            assertThat(telemetry).hasSize(stages);
            long parameters = 0;
            for (JsonNode t : telemetry) {
                assertThat(t.get("peak_heap_bytes").asLong()).as("stage %d's heap is reported", t.get("stage").asInt())
                        .isPositive();
                parameters += t.get("parameters").asLong();
            }
            assertThat(parameters).as("the stages hold the network's parameters between them, once")
                    .isEqualTo(8_546_314L);
        }
    }
}
