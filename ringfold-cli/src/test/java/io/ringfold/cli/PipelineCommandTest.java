package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code train --pipeline-stages K}: worker threads and {@code launch} processes give the digest of one worker,
 * the JSON output carries the plan and every worker's telemetry, bad flags get one line each, and a stage
 * killed mid-run makes the others fail naming it, after which {@code launch --max-restarts 1} resumes from the
 * per-stage checkpoints to the uninterrupted digest.
 */
class PipelineCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LAYERS = "conv2d(4,3,padding=1),relu,maxpool2d(2),flatten,dense(16),relu";

    @TempDir
    Path tmp;

    private static List<String> train(Path out, String epochs, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", "digits", "--layers", LAYERS, "--epochs", epochs,
                "--batch-size", "32", "--optimizer", "adam", "--lr", "0.003", "--seed", "4", "--json", "--out",
                out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    private static JsonNode result(CliRunner r) throws IOException {
        assertThat(r.status()).as(r.err()).isZero();
        return JSON.readTree(r.lastLine());
    }

    private static CliRunner run(List<String> args) {
        return CliRunner.run(args.toArray(String[]::new));
    }

    private static List<String> launch(int nproc, List<String> train, String... launchFlags) {
        List<String> a = new ArrayList<>(List.of("launch", "--nproc", Integer.toString(nproc)));
        a.addAll(List.of(launchFlags));
        a.add("--");
        a.addAll(train);
        return a;
    }

    @Test
    void threadsAndProcessesGiveTheDigestOfOneWorker() throws Exception {
        String expected = result(run(train(tmp.resolve("one"), "3", "--workers", "1"))).get("parameter_digest").asText();
        JsonNode threads = result(run(train(tmp.resolve("t"), "3", "--pipeline-stages", "2", "--workers", "2",
                "--micro-batches", "2", "--stage-boundaries", "3", "--pipeline-schedule", "gpipe")));
        assertThat(threads.get("parameter_digest").asText()).isEqualTo(expected);
        JsonNode pipeline = threads.get("pipeline");
        assertThat(pipeline.get("stages").asInt()).isEqualTo(2);
        assertThat(pipeline.get("micro_batches").asInt()).isEqualTo(2);
        assertThat(pipeline.get("schedule").asText()).isEqualTo("gpipe");
        assertThat(pipeline.get("boundaries").toString()).isEqualTo("[3]");
        assertThat(pipeline.get("analytic_bubble").asDouble()).isEqualTo(1 / 3.0);
        assertThat(pipeline.get("stage_telemetry")).hasSize(3 * 4);
        JsonNode first = pipeline.get("stage_telemetry").get(0);
        assertThat(first.get("from_layer").asInt()).isZero();
        assertThat(first.get("to_layer").asInt()).isEqualTo(3);
        assertThat(first.get("bubble_fraction").asDouble()).isBetween(0.0, 1.0);
        assertThat(threads.get("workers").asInt()).isEqualTo(4);

        CliRunner processes = run(launch(2, train(tmp.resolve("p2"), "3", "--pipeline-stages", "2")));
        assertThat(result(processes).get("parameter_digest").asText()).as("2 processes, 2 stages").isEqualTo(expected);
        assertThat(processes.out()).contains("[rank 1] pipeline: 2 stages, 8 micro-batches, 1f1b");
        CliRunner three = run(launch(3, train(tmp.resolve("p3"), "3", "--pipeline-stages", "3", "--micro-batches", "4",
                "--transport", "tcp")));
        assertThat(result(three).get("parameter_digest").asText()).as("3 processes, 3 stages").isEqualTo(expected);
        CliRunner four = run(launch(4, train(tmp.resolve("p4"), "3", "--pipeline-stages", "2", "--micro-batches", "2")));
        assertThat(result(four).get("parameter_digest").asText()).as("4 processes: 2 replicas of 2 stages")
                .isEqualTo(expected);
        assertThat(four.out()).contains("[rank 3] pipeline: 2 stages, 2 micro-batches, 1f1b; this rank is stage 1 of replica 1");
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }

    @Test
    void badPipelineFlagsGetOneLineEach() {
        Path out = tmp.resolve("bad");
        assertThat(refusal(train(out, "1", "--pipeline-stages", "9")))
                .contains("--pipeline-stages: 9 (expected: at most the network's 7 layers, output layer included)");
        assertThat(refusal(train(out, "1", "--pipeline-stages", "3", "--stage-boundaries", "4,2")))
                .contains("--stage-boundaries: 4,2 (expected: increasing layer indices above 0; 2 is not above 4)");
        assertThat(refusal(train(out, "1", "--pipeline-stages", "2", "--stage-boundaries", "2,4")))
                .contains("--stage-boundaries: 2,4 (expected: 1 layer indices for 2 stages, where stages 1..1 begin)");
        assertThat(refusal(train(out, "1", "--pipeline-stages", "2", "--micro-batches", "3")))
                .contains("--micro-batches: 3 (expected: a divisor of the 8 logical shards of each batch, so that "
                        + "micro-batches are whole shards; raise --shards to a multiple of 3)");
        assertThat(refusal(train(out, "1", "--micro-batches", "2")))
                .contains("--micro-batches without --pipeline-stages (expected: --pipeline-stages K with it)");
        assertThat(refusal(train(out, "1", "--pipeline-stages", "0")))
                .contains("--pipeline-stages: 0 (expected: > 0)");
        assertThat(refusal(train(out, "1", "--pipeline-stages", "2", "--pipeline-schedule", "zigzag")))
                .contains("--pipeline-schedule: zigzag (expected: gpipe or 1f1b)");
        assertThat(refusal(train(out, "1", "--pipeline-stages", "2", "--allreduce", "float32")))
                .contains("--pipeline-stages with --allreduce float32 (pipelines run the exact mode) (expected: without it)");
        assertThat(refusal(train(out, "1", "--pipeline-stages", "2", "--stage-boundaries", "7")))
                .contains("--stage-boundaries: 7 (expected: layer indices below 7, the network's layers with the output layer)");
        assertThat(refusal(train(out, "1", "--pipeline-stages", "2", "--shard-embeddings")))
                .contains("--pipeline-stages with --shard-embeddings (the first stage holds the embedding table whole) "
                        + "(expected: without it)");
        assertThat(refusal(train(out, "1", "--pipeline-stages", "2", "--workers", "3")))
                .contains("--workers: 3 (expected: replicas that divide the 8 logical shards (--shards), so that each "
                        + "pipeline takes whole shards)");
        assertThat(refusal(launch(2, train(out, "1", "--pipeline-stages", "2", "--class-weight", "balanced"))))
                .contains("row weights (a weight column or --class-weight): only the full-batch solvers");
        assertThat(refusal(launch(3, train(out, "1", "--pipeline-stages", "2"))))
                .contains("--world-size: 3 (expected: a multiple of --pipeline-stages 2, one pipeline per replica)");
    }

    private static String refusal(List<String> args) {
        CliRunner r = run(args);
        assertThat(r.status()).as(r.out()).isNotZero();
        assertThat(r.err()).doesNotContain("\tat ");
        return r.err();
    }

    @Test
    void aKilledStageIsNamedByTheOthersAndARestartResumesToTheSameDigest() throws Exception {
        String expected = result(run(train(tmp.resolve("one"), "12", "--workers", "1"))).get("parameter_digest").asText();
        Path ckpt = tmp.resolve("ckpt");
        List<String> args = launch(2, train(tmp.resolve("p"), "12", "--pipeline-stages", "2", "--checkpoint-dir",
                ckpt.toString(), "--checkpoint-every-steps", "20", "--collective-timeout", "20"), "--max-restarts", "1");
        CompletableFuture<CliRunner> run = CompletableFuture.supplyAsync(() -> run(args));
        ProcessHandle victim = LaunchCommandTest.awaitRank1(run, () -> checkpoints(ckpt) >= 2, "after the first checkpoints");
        victim.destroyForcibly();
        CliRunner r = run.get(180, TimeUnit.SECONDS);
        assertThat(r.err()).contains("ringfold launch: rank 1 (pid " + victim.pid() + ") killed by signal 9 (SIGKILL);"
                + " restarting all 2 workers (restart 1 of 1)");
        assertThat(r.err() + r.out()).as("stage 0 names the stage it lost").containsPattern(
                "\\[rank 0\\] .*pipeline stage 0 \\(rank 0\\), step \\d+: .*stage 1 \\(rank 1\\)");
        assertThat(r.out()).containsPattern("\\[rank 0\\] resumed from checkpoint .*stage-0-of-2\\.step-\\d+\\.rfm");
        assertThat(result(r).get("parameter_digest").asText()).isEqualTo(expected);
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }

    private static long checkpoints(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("stage-")).count();
        } catch (IOException e) {
            return 0;
        }
    }
}
