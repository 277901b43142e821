package io.ringfold.cli;

import io.ringfold.serving.load.GrpcLoad;
import io.ringfold.serving.load.KeepAliveLoad;
import io.ringfold.serving.load.RawHttp;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The soak: {@code ringfold serve} as a process with the container's JVM settings, for {@code -Dsoak.minutes}
 * (default 10), under closed-loop load on both protocols while new model versions arrive (polls and the load
 * API), bad model files appear, and bad clients come and go (pipelining without reading, idle floods, slow
 * requests, malformed and oversized bodies); then SIGTERM. Every 10 s it prints requests served and failed,
 * the process's resident memory, its heap and the transport's buffers, and writes them to
 * {@code target/soak.csv} (the server's log: {@code target/soak-serve.log}). Not part of the default test run (tag {@code soak}); {@code bench/soak/run.sh} runs
 * it, and bench/RESULTS.md has its figures.
 */
@Tag("soak")
class ServeSoakTest {

    private static final Pattern METRIC = Pattern.compile("(?m)^(jvm_memory_used_bytes\\{area=\"heap\"\\}|"
            + "ringfold_network_buffer_bytes|ringfold_connections\\{protocol=\"http\"\\}) (\\S+)$");

    @TempDir
    Path tmp;

    @Test
    void servesThroughReloadsBadClientsAndADrain() throws Exception {
        int minutes = Integer.getInteger("soak.minutes", 10);
        long seed = Long.getLong("soak.seed", 20261207L);
        System.out.println("soak: " + minutes + " min, seed " + seed);
        Random random = new Random(seed);
        Path repo = tmp.resolve("repo");
        Path models = tmp.resolve("trained");
        for (int v = 1; v <= 3; v++) {
            CliRunner train = CliRunner.run("train", "--data", "digits", "--model", "mlp", "--hidden", "32", "--epochs",
                    "1", "--seed", Integer.toString(v), "--out", models.resolve(Integer.toString(v)).toString());
            assertThat(train.status()).as(train.err()).isZero();
        }
        install(models.resolve("1"), repo.resolve("digits/1"));
        Path csv = Path.of("target", "soak.csv");
        List<String> rows = new ArrayList<>(List.of("seconds,http_ok,grpc_ok,http_failed,grpc_failed,rss_mib,heap_mib,"
                + "network_buffers_mib,http_connections,versions_published,bad_clients"));
        Files.createDirectories(csv.getParent());
        try (ServerProcess server = ServerProcess.start(csv.resolveSibling("soak-serve.log"),
                List.of("-Xmx600m", "-XX:MaxDirectMemorySize=256m", "-XX:+ExitOnOutOfMemoryError"),
                "--repository", repo.toString(), "--poll-seconds", "2", "--idle-timeout-seconds", "5",
                "--request-timeout-seconds", "5", "--max-body-bytes", "1048576", "--drain-seconds", "3",
                "--grace-seconds", "20");
             KeepAliveLoad http = new KeepAliveLoad("127.0.0.1", server.httpPort, ServeDrainTest.httpRow(), 4,
                     Duration.ofSeconds(30));
             GrpcLoad grpc = new GrpcLoad("127.0.0.1", server.grpcPort, ServeDrainTest.grpcRow(), 2,
                     Duration.ofSeconds(30))) {
            long start = System.nanoTime();
            long end = start + TimeUnit.MINUTES.toNanos(minutes);
            long nextSample = start;
            long nextVersion = start + TimeUnit.SECONDS.toNanos(20);
            int version = 1;
            int badClients = 0;
            List<Socket> stalled = new ArrayList<>();
            while (System.nanoTime() < end) {
                if (System.nanoTime() >= nextSample) {
                    String row = sample(server, http, grpc, (System.nanoTime() - start) / 1e9, version, badClients);
                    rows.add(row);
                    System.out.println("soak: " + row);
                    nextSample += TimeUnit.SECONDS.toNanos(10);
                }
                if (System.nanoTime() >= nextVersion) {
                    version++;
                    publish(server, repo, models.resolve(Integer.toString(1 + version % 3)), version, random);
                    nextVersion += TimeUnit.SECONDS.toNanos(20);
                }
                badClients += badClient(server, random, stalled);
                Thread.sleep(200 + random.nextInt(800));
            }
            for (Socket s : stalled) {
                s.close();
            }
            rows.add(sample(server, http, grpc, (System.nanoTime() - start) / 1e9, version, badClients));
            long httpBefore = http.ok.get();
            long grpcBefore = grpc.ok.get();
            int status = server.terminate(Duration.ofSeconds(60));
            http.join(Duration.ofSeconds(10));
            grpc.join(Duration.ofSeconds(10));
            Files.write(csv, rows);
            System.out.println("soak: SIGTERM -> exit " + status + "; served after SIGTERM: HTTP "
                    + (http.ok.get() - httpBefore) + ", gRPC " + (grpc.ok.get() - grpcBefore) + "; totals HTTP "
                    + http.byStatus() + " failed " + http.failures.size() + ", gRPC ok " + grpc.ok + " failed "
                    + grpc.failures.size() + "; " + version + " versions, " + badClients + " bad clients; " + csv);
            assertThat(http.failures).as("HTTP requests sent and not answered 200").isEmpty();
            assertThat(grpc.failures).as("gRPC calls sent and not answered OK").isEmpty();
            assertThat(status).as("exit after SIGTERM; log:\n" + server.logText()).isEqualTo(143);
        }
    }

    /** Copies a trained model's file into a version directory atomically (written aside, then moved). */
    private static void install(Path trained, Path versionDir) throws IOException {
        Files.createDirectories(versionDir.getParent());
        Path staging = versionDir.resolveSibling("." + versionDir.getFileName() + ".staging");
        Files.createDirectories(staging);
        Files.copy(trained.resolve("model.rfm"), staging.resolve("model.rfm"), StandardCopyOption.REPLACE_EXISTING);
        Files.move(staging, versionDir, StandardCopyOption.ATOMIC_MOVE);
    }

    /** A new version by the next poll or through the load API; now and then a corrupt one, which must not serve. */
    private static void publish(ServerProcess server, Path repo, Path trained, int version, Random random)
            throws IOException {
        Path dir = repo.resolve("digits").resolve(Integer.toString(version));
        if (random.nextInt(4) == 0) {
            Files.createDirectories(dir);
            byte[] junk = new byte[4096];
            random.nextBytes(junk);
            Files.write(dir.resolve("model.rfm"), junk);
            return;
        }
        install(trained, dir);
        if (random.nextBoolean()) {
            try (RawHttp c = RawHttp.connect("127.0.0.1", server.httpPort, Duration.ofSeconds(30))) {
                c.exchange("POST", "/v2/repository/models/digits/load", "");
            }
        }
    }

    /** One bad client of a random kind; returns 1. Pipeliners are kept open (in {@code stalled}) for a while. */
    private static int badClient(ServerProcess server, Random random, List<Socket> stalled) throws IOException {
        int port = server.httpPort;
        switch (random.nextInt(6)) {
            case 0 -> {
                // Pipelines without reading until its socket blocks; held open until later.
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
                Thread t = new Thread(() -> {
                    try {
                        OutputStream out = s.getOutputStream();
                        byte[] one = RawHttp.request("GET", "/v2/health/live", null);
                        for (int i = 0; i < 2_000_000; i++) {
                            out.write(one);
                        }
                    } catch (IOException e) {
                        // Closed by the server's idle timeout, or by us.
                    }
                }, "soak-pipeliner");
                t.setDaemon(true);
                t.start();
                stalled.add(s);
                if (stalled.size() > 4) {
                    stalled.remove(0).close();
                }
            }
            case 1 -> {
                for (int i = 0; i < 50; i++) {
                    stalled.add(new Socket("127.0.0.1", port)); // idle: the server closes them after 5 s
                }
                while (stalled.size() > 60) {
                    stalled.remove(0).close();
                }
            }
            case 2 -> {
                Socket s = new Socket("127.0.0.1", port);
                s.getOutputStream().write("POST /v2/models/digits/infer HTTP/1.1\r\nHost: x\r\nContent-Length: 999\r\n\r\n{"
                        .getBytes(StandardCharsets.US_ASCII));
                stalled.add(s); // slow: 408 after 5 s
            }
            case 3 -> exchangeAndClose(port, "POST", "/v2/models/digits/infer", "{\"inputs\": " + "[".repeat(3000)
                    + "]".repeat(3000) + "}");
            case 4 -> exchangeAndClose(port, "POST", "/v1/models/digits:predict", "{\"instances\": [["
                    + "9".repeat(4000) + "]]}");
            default -> exchangeAndClose(port, "POST", "/v1/models/digits:predict", "x".repeat(2 << 20));
        }
        return 1;
    }

    private static void exchangeAndClose(int port, String method, String path, String body) throws IOException {
        try (RawHttp c = RawHttp.connect("127.0.0.1", port, Duration.ofSeconds(30))) {
            RawHttp.Response r = c.exchange(method, path, body);
            assertThat(r.status()).as(path + ": " + r.text()).isBetween(400, 499);
        } catch (java.net.SocketException e) {
            // A 413 closes the connection while the rest of the body is still being written: expected.
        }
    }

    private static String sample(ServerProcess server, KeepAliveLoad http, GrpcLoad grpc, double seconds, int version,
                                 int badClients) throws IOException {
        double heap = -1;
        double buffers = -1;
        double connections = -1;
        try (RawHttp c = RawHttp.connect("127.0.0.1", server.httpPort, Duration.ofSeconds(30))) {
            Matcher m = METRIC.matcher(c.exchange("GET", "/metrics", null).text());
            while (m.find()) {
                double v = Double.parseDouble(m.group(2));
                if (m.group(1).startsWith("jvm")) {
                    heap = v / (1 << 20);
                } else if (m.group(1).startsWith("ringfold_network")) {
                    buffers = v / (1 << 20);
                } else {
                    connections = v;
                }
            }
        }
        return String.format(java.util.Locale.ROOT, "%.0f,%d,%d,%d,%d,%.1f,%.1f,%.1f,%.0f,%d,%d", seconds, http.ok.get(),
                grpc.ok.get(), http.failures.size(), grpc.failures.size(), server.residentKib() / 1024.0, heap, buffers,
                connections, version, badClients);
    }
}
