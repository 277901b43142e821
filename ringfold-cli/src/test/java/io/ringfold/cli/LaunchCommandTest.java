package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code launch --nproc N}: real worker processes over loopback TCP. Same digest as worker threads for
 * 2 and 3 processes; a worker killed mid-training makes launch stop the others, naming the rank, its pid
 * and the signal, and, with a restart allowed, resume all from the checkpoint (at the epoch and step it
 * says) to the same digest; no process is left behind.
 */
class LaunchCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private static List<String> train(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", "digits", "--hidden", "32", "--epochs", "30",
                "--batch-size", "32", "--seed", "4", "--json", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    private static String digest(CliRunner r) throws Exception {
        assertThat(r.status()).as(r.err()).isZero();
        return JSON.readTree(r.lastLine()).get("parameter_digest").asText();
    }

    @Test
    void twoAndThreeProcessesMatchWorkerThreads() throws Exception {
        List<String> threads = train(tmp.resolve("t"), "--workers", "2");
        String expected = digest(CliRunner.run(threads.toArray(String[]::new)));
        for (int n : new int[] {2, 3}) {
            List<String> args = new ArrayList<>(List.of("launch", "--nproc", Integer.toString(n), "--"));
            args.addAll(train(tmp.resolve("p" + n)));
            CliRunner r = CliRunner.run(args.toArray(String[]::new));
            assertThat(digest(r)).as("launch --nproc %d", n).isEqualTo(expected);
            assertThat(r.out()).contains("[rank " + (n - 1) + "]");
        }
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }

    /**
     * The full-batch solvers (softmax by L-BFGS; with class weights and an L1 term by OWL-QN) give one digest in a
     * single process without --workers, on one and three worker threads, and on two processes.
     */
    @Test
    void fullBatchSolversGiveOneDigestWithoutWorkersOnThreadsAndOnProcesses() throws Exception {
        for (List<String> flags : List.of(List.of("--model", "softmax"),
                List.of("--model", "softmax", "--class-weight", "balanced", "--l1", "0.001", "--max-iter", "30"))) {
            List<String> base = new ArrayList<>(List.of("train", "--data", "digits", "--json", "--out"));
            String expected = null;
            for (String workers : new String[] {null, "1", "3"}) {
                List<String> args = new ArrayList<>(base);
                args.add(tmp.resolve("fb-" + flags.size() + "-w" + workers).toString());
                args.addAll(flags);
                if (workers != null) {
                    args.addAll(List.of("--workers", workers));
                }
                CliRunner r = CliRunner.run(args.toArray(String[]::new));
                String d = digest(r);
                assertThat(JSON.readTree(r.lastLine()).path("solver").path("solver").asText())
                        .isEqualTo(flags.size() == 2 ? "lbfgs" : "owlqn");
                assertThat(expected == null || d.equals(expected)).as("%s, workers %s", flags, workers).isTrue();
                expected = d;
            }
            List<String> args = new ArrayList<>(List.of("launch", "--nproc", "2", "--"));
            args.addAll(base);
            args.add(tmp.resolve("fb-" + flags.size() + "-p2").toString());
            args.addAll(flags);
            assertThat(digest(CliRunner.run(args.toArray(String[]::new)))).as("%s, launch --nproc 2", flags)
                    .isEqualTo(expected);
        }
    }

    /**
     * A network of layers over processes: convolution, batch normalisation (statistics per logical shard) and
     * dropout (masks from seed, step and example) give the digest of one worker thread and of three.
     */
    @Test
    void aConvolutionalNetworkOverProcessesMatchesWorkerThreads() throws Exception {
        List<String> cnn = new ArrayList<>(List.of("train", "--data", "digits", "--layers",
                "conv2d(4,3,padding=1),batchnorm,relu,maxpool2d(2),flatten,dropout(0.2),dense(16),relu", "--epochs", "2",
                "--batch-size", "32", "--seed", "6", "--json", "--out"));
        String expected = null;
        for (String workers : new String[] {"1", "3"}) {
            List<String> threads = new ArrayList<>(cnn);
            threads.addAll(List.of(tmp.resolve("cnn-w" + workers).toString(), "--workers", workers));
            String d = digest(CliRunner.run(threads.toArray(String[]::new)));
            assertThat(expected == null || d.equals(expected)).as("%s worker threads", workers).isTrue();
            expected = d;
        }
        List<String> args = new ArrayList<>(List.of("launch", "--nproc", "2", "--"));
        args.addAll(cnn);
        args.add(tmp.resolve("cnn-p2").toString());
        assertThat(digest(CliRunner.run(args.toArray(String[]::new)))).as("launch --nproc 2").isEqualTo(expected);
    }

    @Test
    void sharedMemoryByDefaultAndTcpOnRequestGiveTheDigestOfOneWorker() throws Exception {
        List<String> one = new ArrayList<>(List.of("train", "--data", "digits", "--hidden", "16", "--epochs", "3",
                "--batch-size", "32", "--seed", "5", "--json", "--out"));
        List<String> single = new ArrayList<>(one);
        single.addAll(List.of(tmp.resolve("w1").toString(), "--workers", "1"));
        String expected = digest(CliRunner.run(single.toArray(String[]::new)));
        for (String transport : new String[] {null, "tcp"}) {
            List<String> args = new ArrayList<>(List.of("launch", "--nproc", "2", "--"));
            args.addAll(one);
            args.add(tmp.resolve("p-" + transport).toString());
            if (transport != null) {
                args.addAll(List.of("--transport", transport));
            }
            CliRunner r = CliRunner.run(args.toArray(String[]::new));
            assertThat(digest(r)).as("launch --nproc 2, transport %s", transport).isEqualTo(expected);
            String kind = transport == null ? "shm" : "tcp";
            assertThat(r.out()).contains("[rank 0] transport: " + kind + " rank 0/2")
                    .contains("[rank 1] transport: " + kind + " rank 1/2");
        }
    }

    @Test
    void anUnknownTransportIsRefused() {
        CliRunner r = CliRunner.run("train", "--data", "digits", "--out", tmp.resolve("x").toString(), "--rank", "0",
                "--world-size", "1", "--rendezvous", "127.0.0.1:1", "--transport", "rdma");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--transport: rdma (expected: auto, tcp or shm)");
    }

    @Test
    void aKilledWorkerStopsTheOthersAndARestartResumesToTheSameDigest() throws Exception {
        String expected = digest(CliRunner.run(train(tmp.resolve("t"), "--workers", "1").toArray(String[]::new)));
        Path ckpt = tmp.resolve("ckpt");
        List<String> args = new ArrayList<>(List.of("launch", "--nproc", "2", "--max-restarts", "1", "--"));
        args.addAll(train(tmp.resolve("p"), "--checkpoint-dir", ckpt.toString(), "--checkpoint-every-steps", "20"));
        CompletableFuture<CliRunner> run = CompletableFuture.supplyAsync(() -> CliRunner.run(args.toArray(String[]::new)));
        ProcessHandle victim = awaitRank1(run, () -> Files.exists(ckpt.resolve("checkpoint.rfm")), "after the first checkpoint");
        victim.destroyForcibly();
        CliRunner r = run.get(120, TimeUnit.SECONDS);
        assertThat(r.err()).contains("ringfold launch: rank 1 (pid " + victim.pid() + ") killed by signal 9 (SIGKILL);"
                + " restarting all 2 workers (restart 1 of 1)");
        assertThat(digest(r)).isEqualTo(expected);
        // Training is deterministic: the digest alone would match had the restart ignored the checkpoint.
        // The restarted rank 0 says where it resumed, and its epoch lines go on from there.
        Matcher resumed = Pattern.compile("(?m)^\\[rank 0\\] resumed from checkpoint " + Pattern.quote(ckpt.resolve(
                "checkpoint.rfm").toString()) + " at epoch (\\d+)/30, step (\\d+)/(\\d+)$").matcher(r.out());
        assertThat(resumed.find()).as("the resume line in:%n%s", r.out()).isTrue();
        int epoch = Integer.parseInt(resumed.group(1));
        int step = Integer.parseInt(resumed.group(2));
        int steps = Integer.parseInt(resumed.group(3));
        assertThat(step).isBetween(0, steps);
        assertThat(((epoch - 1) * steps + step) % 20).as("a checkpoint step (every 20 global steps)").isZero();
        List<Integer> before = epochLines(r.out().substring(0, resumed.start()));
        List<Integer> after = epochLines(r.out().substring(resumed.end()));
        assertThat(before).as("the first attempt's epochs").containsExactlyElementsOf(range(1, before.size()));
        assertThat(before.size()).as("epochs the first attempt finished").isGreaterThanOrEqualTo(epoch - 1);
        assertThat(after).as("the restarted attempt's epochs").containsExactlyElementsOf(range(epoch, 30));
        assertThat(resumed.find()).as("a second resume line").isFalse();
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }

    @Test
    void aWorkerKilledBySigkillIsNamedWithItsPidAndSignal() throws Exception {
        List<String> args = new ArrayList<>(List.of("launch", "--nproc", "2", "--"));
        List<String> train = train(tmp.resolve("p"));
        train.set(train.indexOf("--epochs") + 1, "100000"); // far longer than the test
        args.addAll(train);
        CompletableFuture<CliRunner> run = CompletableFuture.supplyAsync(() -> CliRunner.run(args.toArray(String[]::new)));
        ProcessHandle victim = awaitRank1(run, () -> true, "");
        victim.destroyForcibly();
        CliRunner r = run.get(120, TimeUnit.SECONDS);
        assertThat(r.status()).as("launch's exit status, 128 + 9 as a shell gives it").isEqualTo(137);
        assertThat(r.err()).contains("ringfold: error: launch: rank 1 (pid " + victim.pid() + ") killed by signal 9"
                + " (SIGKILL); all workers stopped");
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }

    @Test
    void withoutRestartsAFailedWorkerFailsTheLaunch() {
        List<String> args = new ArrayList<>(List.of("launch", "--nproc", "2", "--"));
        args.addAll(train(tmp.resolve("p"), "--lr", "-1"));
        CliRunner r = CliRunner.run(args.toArray(String[]::new));
        assertThat(r.status()).as("the worker's exit status").isEqualTo(2);
        assertThat(r.err()).contains("--lr: -1.0 (expected: > 0)")
                .containsPattern("ringfold: error: launch: rank [01] \\(pid \\d+\\) exited with status 2; all workers stopped");
    }

    @Test
    void exitStatusesAreDecodedAsAShellDoes() {
        assertThat(WorkerExit.how(137, true)).isEqualTo("killed by signal 9 (SIGKILL)");
        assertThat(WorkerExit.how(143, true)).isEqualTo("killed by signal 15 (SIGTERM)");
        assertThat(WorkerExit.how(139, true)).isEqualTo("killed by signal 11 (SIGSEGV)");
        assertThat(WorkerExit.how(159, true)).isEqualTo("killed by signal 31 (SIGSYS)");
        assertThat(WorkerExit.how(192, true)).isEqualTo("killed by signal 64");
        assertThat(WorkerExit.how(137, false)).as("numbers differ off Linux").isEqualTo("killed by signal 9");
        assertThat(WorkerExit.how(3, true)).isEqualTo("exited with status 3");
        assertThat(WorkerExit.how(128, true)).isEqualTo("exited with status 128");
        assertThat(WorkerExit.how(193, true)).isEqualTo("exited with status 193");
        assertThat(new WorkerExit(0, 1234, 1).describe()).isEqualTo("rank 0 (pid 1234) exited with status 1");
    }

    /** Rank 1's process once {@code ready} holds; fails, saying what it waited for, after 60 s. */
    static ProcessHandle awaitRank1(CompletableFuture<CliRunner> run, BooleanSupplier ready, String when)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !run.isDone()) {
            if (ready.getAsBoolean()) {
                Optional<ProcessHandle> victim = ProcessHandle.current().children()
                        .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains("--rank 1")).orElse(false))
                        .findFirst();
                if (victim.isPresent()) {
                    return victim.get();
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("rank 1's process running " + when + " within 60 s (launch "
                + (run.isDone() ? "ended: " + run.join().err() : "still running") + ")");
    }

    /** The epoch numbers of rank 0's epoch lines, in order. */
    private static List<Integer> epochLines(String out) {
        List<Integer> epochs = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^\\[rank 0\\] epoch (\\d+)/30 ").matcher(out);
        while (m.find()) {
            epochs.add(Integer.parseInt(m.group(1)));
        }
        return epochs;
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().toList();
    }
}
