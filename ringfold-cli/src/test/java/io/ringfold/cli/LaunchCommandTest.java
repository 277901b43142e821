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

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code launch --nproc N}: real worker processes over loopback TCP. Same digest as worker threads for
 * 2 and 3 processes; a worker killed mid-training makes launch stop the others and, with a restart
 * allowed, resume all from the checkpoint to the same digest; no process is left behind.
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
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Optional<ProcessHandle> victim = Optional.empty();
        while (System.nanoTime() < deadline && !run.isDone()) {
            if (Files.exists(ckpt.resolve("checkpoint.rfm"))) {
                victim = ProcessHandle.current().children()
                        .filter(p -> p.info().arguments().map(a -> String.join(" ", a).contains("--rank 1")).orElse(false))
                        .findFirst();
                if (victim.isPresent()) {
                    break;
                }
            }
            Thread.sleep(10);
        }
        assertThat(victim).as("rank 1 running after the first checkpoint").isPresent();
        victim.get().destroyForcibly();
        CliRunner r = run.get(120, TimeUnit.SECONDS);
        assertThat(r.err()).contains("restarting all 2 workers");
        assertThat(digest(r)).isEqualTo(expected);
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).count()).isZero();
    }

    @Test
    void withoutRestartsAFailedWorkerFailsTheLaunch() {
        List<String> args = new ArrayList<>(List.of("launch", "--nproc", "2", "--"));
        args.addAll(train(tmp.resolve("p"), "--lr", "-1"));
        CliRunner r = CliRunner.run(args.toArray(String[]::new));
        assertThat(r.status()).isEqualTo(1);
        assertThat(r.err()).contains("--lr: -1.0 (expected: > 0)").contains("a worker failed (exit status 2)");
    }
}
