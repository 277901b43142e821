package io.ringfold.serving.load;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Two checks of any build's server, run from the command line against its jar so that builds can be
 * compared in one run ({@code bench/serving/checks.sh}): {@code drain}, SIGTERM under keep-alive load on the
 * digits model, counting every reply; {@code pipelining}, a client that pipelines unauthenticated requests
 * and never reads, reporting the bytes the server took, its resident memory and whether its liveness probe
 * still answers. The server runs with the container's heap and direct-memory caps.
 *
 * <p>Arguments: {@code JAR REPOSITORY drain|pipelining [serve flags...]}.
 */
public final class ServerChecks {

    private static final String ROW = "[0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,"
            + "0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0]";
    private static final int PORT = 18181;

    private ServerChecks() {
    }

    public static void main(String[] args) throws Exception {
        String jar = args[0];
        String mode = args[2];
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx600m", "-XX:MaxDirectMemorySize=256m", "-jar", jar, "serve",
                "--repository", args[1], "--host", "127.0.0.1", "--port", Integer.toString(PORT), "--grpc-port",
                Integer.toString(PORT + 1), "--poll-seconds", "0"));
        cmd.addAll(Arrays.asList(args).subList(3, args.length));
        Path log = Files.createTempFile("ringfold-check-", ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitReady(p, log);
            if (mode.equals("drain")) {
                drain(p);
            } else {
                pipelining(p);
            }
        } finally {
            p.destroyForcibly();
        }
    }

    private static void awaitReady(Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try (RawHttp c = RawHttp.connect("127.0.0.1", PORT, Duration.ofSeconds(5))) {
                if (c.exchange("GET", "/v2/health/ready", null).status() == 200) {
                    return;
                }
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("server not ready; its log:\n" + Files.readString(log), e);
                }
            }
            Thread.sleep(200);
        }
    }

    private static void drain(Process p) throws Exception {
        byte[] request = RawHttp.request("POST", "/v2/models/digits/infer", "{\"inputs\": [{\"name\": \"input\", "
                + "\"shape\": [1, 64], \"datatype\": \"FP32\", \"data\": " + ROW + "}]}");
        try (KeepAliveLoad load = new KeepAliveLoad("127.0.0.1", PORT, request, 6, Duration.ofSeconds(20))) {
            load.awaitOk(2000, Duration.ofSeconds(60));
            long before = load.ok.get();
            long t0 = System.nanoTime();
            p.toHandle().destroy();
            boolean exited = p.waitFor(60, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            load.join(Duration.ofSeconds(20));
            Map<String, Integer> kinds = new TreeMap<>();
            for (String f : load.failures) {
                kinds.merge(f.length() > 80 ? f.substring(0, 80) : f, 1, Integer::sum);
            }
            System.out.printf("drain: exit %s after %.1f s; replies %s; 200s after SIGTERM %d; failed %d %s; clients refused"
                    + " at the end %d%n", exited ? Integer.toString(p.exitValue()) : "none", seconds, load.byStatus(),
                    load.ok.get() - before, load.failures.size(), kinds, load.refusedClients.get());
        }
    }

    private static void pipelining(Process p) throws Exception {
        long cap = 256L << 20;
        AtomicLong sent = new AtomicLong();
        byte[] one = RawHttp.request("GET", "/v1/models/digits", null);
        byte[] chunk = new byte[one.length * (65536 / one.length)];
        for (int off = 0; off < chunk.length; off += one.length) {
            System.arraycopy(one, 0, chunk, off, one.length);
        }
        try (Socket s = new Socket("127.0.0.1", PORT)) {
            Thread writer = new Thread(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    while (sent.get() < cap) {
                        out.write(chunk);
                        sent.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // Closed by the server or at the end.
                }
            }, "pipeliner");
            writer.setDaemon(true);
            writer.start();
            long t0 = System.nanoTime();
            long last = -1;
            int still = 0;
            StringBuilder trace = new StringBuilder();
            while (sent.get() < cap && still < 10 && System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(120)) {
                still = sent.get() == last ? still + 1 : 0;
                last = sent.get();
                Thread.sleep(1000);
                trace.append(sent.get() >> 20).append(' ');
            }
            long probeStart = System.nanoTime();
            int probe = -1;
            try (RawHttp c = RawHttp.connect("127.0.0.1", PORT, Duration.ofSeconds(10))) {
                probe = c.exchange("GET", "/v2/health/live", null).status();
            } catch (IOException e) {
                // Counted as no answer.
            }
            System.out.printf("pipelining: MiB taken each second %s; %d MiB in %d s; server RSS %d MiB; liveness probe %s"
                    + " in %d ms%n", trace.toString().trim(), sent.get() >> 20, (System.nanoTime() - t0) / 1_000_000_000,
                    residentMib(p), probe < 0 ? "no answer" : Integer.toString(probe),
                    (System.nanoTime() - probeStart) / 1_000_000);
        }
        p.toHandle().destroy();
        System.out.println("pipelining: exits within 30 s of SIGTERM: " + p.waitFor(30, TimeUnit.SECONDS));
    }

    private static long residentMib(Process p) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
            }
        }
        return -1;
    }
}
