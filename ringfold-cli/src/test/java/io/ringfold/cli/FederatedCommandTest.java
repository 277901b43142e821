package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.federated.RoundCheckpoint;
import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.serving.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code ringfold federated} end to end: the digits split over clients holding two labels each (federated split),
 * clients as processes or as threads running the command, over real sockets.
 */
class FederatedCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SPLIT_SEED = 11;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "federated-cli-test");
        t.setDaemon(true);
        return t;
    });

    @BeforeAll
    static void split() {
        CliRunner r = CliRunner.run("federated", "split", "--data", "digits", "--clients", "10", "--labels-per-client",
                "2", "--seed", String.valueOf(SPLIT_SEED), "--out", shared.resolve("parts").toString());
        assertThat(r.status()).as(r.err()).isZero();
        System.out.println("split seed " + SPLIT_SEED + "\n" + r.out());
        assertThat(r.out()).contains("client-9.csv").containsPattern("client-0.csv: \\d+ rows, labels \\[\\d+, \\d+\\]\n");
    }

    private static String part(int i) {
        return "csv:" + shared.resolve("parts").resolve("client-" + i + ".csv") + "?label=label";
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static List<String> coordinatorArgs(int port, Path out, int rounds, int clients, String... extra) {
        List<String> a = new ArrayList<>(List.of("federated", "coordinator", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--rounds", String.valueOf(rounds), "--clients-per-round", String.valueOf(clients),
                "--min-available-clients", String.valueOf(clients), "--classes", "10", "--hidden", "16",
                "--lr", "0.01", "--batch-size", "32", "--seed", "5", "--join-timeout", "240", "--round-timeout", "240",
                "--out", out.toString(), "--json"));
        a.addAll(List.of(extra));
        return a;
    }

    private static List<String> clientArgs(int port, int i, String... extra) {
        List<String> a = new ArrayList<>(List.of("federated", "client", "--coordinator", "127.0.0.1:" + port,
                "--data", part(i), "--client-id", "site-" + i, "--connect-timeout", "120", "--idle-timeout", "300"));
        a.addAll(List.of(extra));
        return a;
    }

    private static List<String> java(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "--add-modules", "jdk.incubator.vector", "-cp",
                System.getProperty("java.class.path"), RingfoldCommand.class.getName()));
        cmd.addAll(args);
        return cmd;
    }

    private Future<CliRunner> inThread(List<String> args) {
        return threads.submit(() -> CliRunner.run(args.toArray(String[]::new)));
    }

    private static CliRunner await(Future<CliRunner> f) throws Exception {
        return f.get(300, TimeUnit.SECONDS);
    }

    /**
     * Ten client processes with two labels each, with and without secure aggregation: the same parameters, and a
     * servable model whose provenance names rounds, clients and seed.
     */
    @Test
    void tenClientProcessesGiveTheSameModelWithAndWithoutSecureAggregation() throws Exception {
        JsonNode plain = runProcesses(tmp.resolve("plain"));
        JsonNode secure = runProcesses(tmp.resolve("secure"), "--secure-aggregation");
        assertThat(secure.get("secure_aggregation").asBoolean()).isTrue();
        assertThat(secure.get("parameter_digest").asText()).isEqualTo(plain.get("parameter_digest").asText());
        // The secure run's rounds carried more bytes (keys, shares, 8-byte masked values) for the same sum.
        assertThat(secure.get("round_log").get(0).get("bytes_received").asLong())
                .isGreaterThan(plain.get("round_log").get(0).get("bytes_received").asLong());

        Model model = ModelCodec.load(tmp.resolve("plain").resolve(ModelCodec.FILE_NAME));
        assertThat(model.parameterDigest()).isEqualTo(plain.get("parameter_digest").asText());
        assertThat(model.provenance().dataSource()).contains("3 rounds").contains("10 took part").contains("seed 5");
        Path rows = Files.writeString(tmp.resolve("rows.csv"), String.join(",", java.util.Collections.nCopies(64, "1"))
                + "\n");
        CliRunner p = CliRunner.run("predict", "--model", tmp.resolve("plain").toString(), "--input", rows.toString());
        assertThat(p.status()).as(p.err()).isZero();
    }

    private JsonNode runProcesses(Path out, String... extra) throws Exception {
        int port = freePort();
        Future<CliRunner> coordinator = inThread(coordinatorArgs(port, out, 3, 10, extra));
        List<Process> clients = new ArrayList<>();
        Path logs = Files.createDirectories(out.resolveSibling(out.getFileName() + "-logs"));
        try {
            for (int i = 0; i < 10; i++) {
                clients.add(new ProcessBuilder(java(clientArgs(port, i))).redirectErrorStream(true)
                        .redirectOutput(logs.resolve("client-" + i + ".log").toFile()).start());
            }
            CliRunner c = await(coordinator);
            assertThat(c.status()).as("%s%s%nclient 0: %s", c.out(), c.err(),
                    Files.readString(logs.resolve("client-0.log"))).isZero();
            for (int i = 0; i < clients.size(); i++) {
                assertThat(clients.get(i).waitFor(60, TimeUnit.SECONDS)).as("client %d ends", i).isTrue();
                assertThat(clients.get(i).exitValue()).as(Files.readString(logs.resolve("client-" + i + ".log"))).isZero();
                assertThat(Files.readString(logs.resolve("client-" + i + ".log"))).contains("this client trained 3");
            }
            JsonNode result = JSON.readTree(c.lastLine());
            assertThat(result.get("rounds").asInt()).isEqualTo(3);
            assertThat(result.get("clients").asInt()).isEqualTo(10);
            assertThat(result.get("round_log")).hasSize(3);
            return result;
        } finally {
            clients.forEach(Process::destroyForcibly);
        }
    }

    /**
     * A client process killed (destroyForcibly) while it trains round 1: the coordinator, itself a process, excludes
     * it with the reason, applies the other three updates (--min-clients 3) and finishes the run.
     */
    @Test
    void clientProcessKilledMidRoundIsExcludedAndTheRunFinishes() throws Exception {
        int port = freePort();
        Path out = tmp.resolve("killed");
        Path log = tmp.resolve("coordinator.log");
        Path victimLog = tmp.resolve("client-3.log");
        // 300 local epochs keep every client training for seconds, so the kill lands inside the round.
        Process coordinator = new ProcessBuilder(java(coordinatorArgs(port, out, 1, 4, "--min-clients", "3",
                "--local-epochs", "300"))).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Process victim = null;
        try {
            List<Future<CliRunner>> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                clients.add(inThread(clientArgs(port, i)));
            }
            victim = new ProcessBuilder(java(clientArgs(port, 3))).redirectErrorStream(true)
                    .redirectOutput(victimLog.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (!Files.readString(log).contains("round 1/1: sampled") && coordinator.isAlive()
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.readString(log)).as("round 1 started within 180 s").contains("round 1/1: sampled");
            assertThat(Files.readString(victimLog)).as("the victim had not sent its update").doesNotContain("round 1:");
            assertThat(victim.destroyForcibly().waitFor(10, TimeUnit.SECONDS)).as("the victim ends").isTrue();

            assertThat(coordinator.waitFor(240, TimeUnit.SECONDS)).as("the coordinator finishes within 240 s").isTrue();
            String text = Files.readString(log);
            assertThat(coordinator.exitValue()).as(text).isZero();
            assertThat(text).contains("round 1: client site-3 excluded: connection closed by client site-3");
            JsonNode round = JSON.readTree(text.strip().substring(text.strip().lastIndexOf('\n') + 1)).get("round_log")
                    .get(0);
            List<String> aggregated = new ArrayList<>();
            round.get("aggregated").forEach(n -> aggregated.add(n.asText()));
            assertThat(aggregated).containsExactlyInAnyOrder("site-0", "site-1", "site-2");
            assertThat(round.get("excluded").get("site-3").asText()).contains("while waiting for UPDATE of round 1");
            for (Future<CliRunner> f : clients) {
                CliRunner c = await(f);
                assertThat(c.status()).as(c.out() + c.err()).isZero();
                assertThat(c.out()).contains("this client trained 1");
            }
            assertThat(out.resolve(ModelCodec.FILE_NAME)).exists();
        } finally {
            coordinator.destroyForcibly();
            if (victim != null) {
                victim.destroyForcibly();
            }
        }
    }

    /** A coordinator killed after a checkpoint and started again with --resume ends with the uninterrupted parameters. */
    @Test
    void restartedCoordinatorEndsWithTheUninterruptedParameters() throws Exception {
        String uninterrupted = runWithThreads(tmp.resolve("whole"), 5);

        int port = freePort();
        Path out = tmp.resolve("restarted");
        Path checkpoint = out.resolve("checkpoint").resolve(RoundCheckpoint.FILE_NAME);
        List<Future<CliRunner>> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(inThread(clientArgs(port, i)));
        }
        Process first = new ProcessBuilder(java(coordinatorArgs(port, out, 5, 4, "--local-epochs", "3")))
                .redirectErrorStream(true).redirectOutput(tmp.resolve("coordinator.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(checkpoint) && first.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(checkpoint).as("a checkpoint within 60 s").exists();
            first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } finally {
            first.destroyForcibly();
        }
        int done = JSON.readTree(checkpoint.toFile()).get("round").asInt();
        assertThat(done).as("killed before the last round").isLessThan(5);
        assertThat(out.resolve(ModelCodec.FILE_NAME)).doesNotExist();

        CliRunner resumed = await(inThread(coordinatorArgs(port, out, 5, 4, "--local-epochs", "3", "--resume")));
        assertThat(resumed.status()).as(resumed.out() + resumed.err()).isZero();
        assertThat(resumed.out()).contains("resuming after round " + done);
        for (Future<CliRunner> f : clients) {
            CliRunner c = await(f);
            assertThat(c.status()).as(c.out() + c.err()).isZero();
            assertThat(c.out()).contains("connection lost");
        }
        assertThat(JSON.readTree(resumed.lastLine()).get("parameter_digest").asText()).isEqualTo(uninterrupted);
    }

    private String runWithThreads(Path out, int rounds) throws Exception {
        int port = freePort();
        Future<CliRunner> coordinator = inThread(coordinatorArgs(port, out, rounds, 4, "--local-epochs", "3"));
        List<Future<CliRunner>> clients = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clients.add(inThread(clientArgs(port, i)));
        }
        CliRunner c = await(coordinator);
        assertThat(c.status()).as(c.out() + c.err()).isZero();
        for (Future<CliRunner> f : clients) {
            assertThat(await(f).status()).isZero();
        }
        return JSON.readTree(c.lastLine()).get("parameter_digest").asText();
    }

    /** TLS with a token: clients with the CA and the token train; a wrong token is refused in one line. */
    @Test
    void tlsAndTokenAdmitOnlyTheRunsClients() throws Exception {
        TestCertificates.Pem pem = TestCertificates.selfSigned(tmp, "coordinator", "EC");
        Path token = Files.writeString(tmp.resolve("token"), "run-token-123\n");
        Path wrong = Files.writeString(tmp.resolve("wrong"), "not-the-token\n");
        int port = freePort();
        Future<CliRunner> coordinator = inThread(coordinatorArgs(port, tmp.resolve("tls"), 1, 2, "--tls-cert",
                pem.cert().toString(), "--tls-key", pem.key().toString(), "--auth-token-file", token.toString()));
        List<String> intruder = new ArrayList<>(clientArgs(port, 2, "--tls-ca", pem.cert().toString(),
                "--auth-token-file", wrong.toString()));
        intruder.set(intruder.indexOf("127.0.0.1:" + port), "localhost:" + port);
        CliRunner refused = await(inThread(intruder));
        assertThat(refused.status()).isEqualTo(1);
        assertThat(refused.err()).contains("refused client site-2: auth token: wrong or missing")
                .doesNotContain("not-the-token");
        List<Future<CliRunner>> clients = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            List<String> a = new ArrayList<>(clientArgs(port, i, "--tls-ca", pem.cert().toString(), "--auth-token-file",
                    token.toString()));
            a.set(a.indexOf("127.0.0.1:" + port), "localhost:" + port);
            clients.add(inThread(a));
        }
        CliRunner c = await(coordinator);
        assertThat(c.status()).as(c.out() + c.err()).isZero();
        for (Future<CliRunner> f : clients) {
            CliRunner r = await(f);
            assertThat(r.status()).as(r.out() + r.err()).isZero();
        }
        assertThat(c.out()).contains("client site-2 (").contains("refused: auth token").doesNotContain("run-token-123");
    }

    @Test
    void badFlagsAreRefusedNamingTheFlag() {
        CliRunner epochs = CliRunner.run("federated", "coordinator", "--port", "0", "--rounds", "2",
                "--clients-per-round", "2", "--epochs", "3", "--out", tmp.toString());
        assertThat(epochs.status()).isEqualTo(2);
        assertThat(epochs.err()).contains("--epochs: not used by federated training");
        CliRunner min = CliRunner.run("federated", "coordinator", "--port", "0", "--rounds", "2",
                "--clients-per-round", "2", "--min-clients", "3", "--out", tmp.toString());
        assertThat(min.err()).contains("--min-clients: 3 (expected: 1..2");
        CliRunner agg = CliRunner.run("federated", "coordinator", "--port", "0", "--rounds", "2",
                "--clients-per-round", "2", "--aggregation", "median", "--out", tmp.toString());
        assertThat(agg.err()).contains("--aggregation: median (expected: fedavg or fedprox)");
        CliRunner full = CliRunner.run("federated", "coordinator", "--port", "0", "--rounds", "2",
                "--clients-per-round", "2", "--model", "softmax", "--out", tmp.toString());
        assertThat(full.err()).contains("--solver: auto").contains("--solver sgd or adam");
    }
}
