package io.ringfold.spark.cluster;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test cluster is what it claims: executors are JVMs of their own, a barrier stage spans them, and a
 * SIGKILLed executor fails the stage, which Spark then retries to completion.
 */
@Tag("cluster")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StandaloneClusterTest {

    @RegisterExtension
    static final StandaloneClusterExtension CLUSTER = new StandaloneClusterExtension(ClusterOptions.defaults());

    @Test
    void executorsAreJvmsOfTheirOwnRunningTheTasks() {
        SparkSession spark = CLUSTER.session();
        long driver = ProcessHandle.current().pid();

        List<String> taskPids = BarrierJob.run(spark, 2, ctx -> Long.toString(ProcessHandle.current().pid()));

        List<Long> executors = CLUSTER.cluster().executorPids();
        assertThat(executors).hasSize(2).doesNotContain(driver)
                .doesNotContainAnyElementsOf(CLUSTER.cluster().workerPids());
        Set<Long> ran = new HashSet<>();
        for (String pid : taskPids) {
            ran.add(Long.parseLong(pid));
        }
        assertThat(ran).as("one task per executor, none in the driver").containsExactlyInAnyOrderElementsOf(executors);
    }

    @Test
    void barrierStageAllGathersAcrossTwoExecutors() {
        SparkSession spark = CLUSTER.session();

        List<String> results = BarrierJob.run(spark, 2, ctx -> {
            String[] all = ctx.allGather(ctx.partitionId() + "@" + ProcessHandle.current().pid());
            return String.join(",", all);
        });

        assertThat(results).hasSize(2);
        assertThat(results.get(1)).isEqualTo(results.get(0));
        List<String> gathered = Arrays.asList(results.get(0).split(","));
        assertThat(gathered).hasSize(2);
        assertThat(gathered.get(0)).startsWith("0@");
        assertThat(gathered.get(1)).startsWith("1@");
        long pid0 = Long.parseLong(gathered.get(0).substring(2));
        long pid1 = Long.parseLong(gathered.get(1).substring(2));
        assertThat(pid0).isNotEqualTo(pid1);
        assertThat(CLUSTER.cluster().executorPids()).contains(pid0, pid1);
    }

    @Test
    void killedExecutorFailsTheBarrierStageAndTheRetryCompletes(@TempDir Path shared) throws Exception {
        SparkSession spark = CLUSTER.session();
        StageAttempts attempts = new StageAttempts();
        spark.sparkContext().addSparkListener(attempts);
        String dir = shared.toString();

        // Attempt 0: each task announces its PID, then waits until Spark kills it (the survivor) or the
        // test kills its JVM. Later attempts gather every task's PID and finish.
        CompletableFuture<List<String>> job = CompletableFuture.supplyAsync(() -> BarrierJob.run(spark, 2, ctx -> {
            long pid = ProcessHandle.current().pid();
            if (ctx.stageAttemptNumber() == 0) {
                Path file = Path.of(dir, "partition-" + ctx.partitionId() + ".pid");
                Files.writeString(Path.of(file + ".tmp"), Long.toString(pid), StandardCharsets.UTF_8);
                Files.move(Path.of(file + ".tmp"), file);
                long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!ctx.isInterrupted() && System.nanoTime() < giveUp) {
                    Thread.sleep(50);
                }
                ctx.killTaskIfInterrupted();
                throw new IllegalStateException("attempt 0 of partition " + ctx.partitionId()
                        + " was neither killed nor lost its executor within 60 s");
            }
            String[] all = ctx.allGather(Long.toString(pid));
            return ctx.stageAttemptNumber() + ":" + pid + ":" + String.join(",", all);
        }));

        Path victimFile = shared.resolve("partition-0.pid");
        Path survivorFile = shared.resolve("partition-1.pid");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!(Files.exists(victimFile) && Files.exists(survivorFile)) && !job.isDone()
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(job).as("attempt 0 must still be running").isNotDone();
        assertThat(List.of(victimFile, survivorFile)).as("the pid files of both partitions' attempt 0, within 60 s")
                .allMatch(Files::exists);
        long victim = Long.parseLong(Files.readString(victimFile));
        long survivor = Long.parseLong(Files.readString(survivorFile));
        CLUSTER.cluster().killExecutor(victim);

        List<String> results = job.get(90, TimeUnit.SECONDS);

        assertThat(results).hasSize(2);
        Set<Long> retried = new HashSet<>();
        for (String result : results) {
            String[] parts = result.split(":");
            assertThat(parts[0]).as("stage attempt of " + result).isEqualTo("1");
            retried.add(Long.parseLong(parts[1]));
            assertThat(parts[2]).as("allGather in the retry").isEqualTo(results.get(0).split(":")[2]);
        }
        assertThat(retried).hasSize(2).doesNotContain(victim).contains(survivor);
        assertThat(CLUSTER.cluster().executorPids()).containsAll(retried).doesNotContain(victim);
        List<String> failures = attempts.awaitFailures(30);
        assertThat(failures).as("failed stage attempts").isNotEmpty()
                .allMatch(f -> f.startsWith("attempt 0: "))
                .anyMatch(f -> f.contains("ExecutorLostFailure") && f.contains("code 137"));
        spark.sparkContext().removeSparkListener(attempts);
    }

    /** Records the failure reasons of stage attempts; listener events arrive asynchronously. */
    static final class StageAttempts extends SparkListener {
        private final Queue<String> failures = new ConcurrentLinkedQueue<>();

        @Override
        public void onStageCompleted(SparkListenerStageCompleted event) {
            if (event.stageInfo().failureReason().isDefined()) {
                failures.add("attempt " + event.stageInfo().attemptNumber() + ": "
                        + event.stageInfo().failureReason().get());
            }
        }

        /**
         * Waits until a failure is recorded, then returns every failure reason; Spark reports the failed
         * attempt once per task it ended (the lost one and the one it cancelled).
         */
        List<String> awaitFailures(int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (failures.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            return new ArrayList<>(failures);
        }
    }
}
