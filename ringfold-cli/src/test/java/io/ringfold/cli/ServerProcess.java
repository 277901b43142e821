package io.ringfold.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ringfold serve} as a process of its own, as a container runs it: SIGTERM reaches its shutdown hook,
 * and its memory is its own. Both ports are chosen by the server ({@code --port 0 --grpc-port 0}) and read
 * from what it prints; its output goes to a log file.
 */
final class ServerProcess implements AutoCloseable {

    private static final Pattern HTTP = Pattern.compile("^serving .* on http://[^:]+:(\\d+) ");
    private static final Pattern GRPC = Pattern.compile("^gRPC \\(Open Inference Protocol v2\\) on [^:]+:(\\d+)$");

    final Process process;
    final Path log;
    final int httpPort;
    final int grpcPort;
    private final Thread copier;

    private ServerProcess(Process process, Path log, Thread copier, int httpPort, int grpcPort) {
        this.process = process;
        this.log = log;
        this.copier = copier;
        this.httpPort = httpPort;
        this.grpcPort = grpcPort;
    }

    /** Starts {@code serve} with {@code jvmOptions} and {@code args} (after the ports), waits until it serves. */
    static ServerProcess start(Path log, List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), RingfoldCommand.class.getName(), "serve",
                "--host", "127.0.0.1", "--port", "0", "--grpc-port", "0"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        // Stdout is read here until both ports are known, then copied to the log by a daemon thread.
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<int[]> ports = new CompletableFuture<>();
        Thread copier = new Thread(() -> copy(out, log, ports), "server-log");
        copier.setDaemon(true);
        copier.start();
        try {
            int[] both = ports.get(120, TimeUnit.SECONDS);
            return new ServerProcess(p, log, copier, both[0], both[1]);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("server did not print its ports within 120 s: " + e + "; log:\n"
                    + Files.readString(log), e);
        }
    }

    private static void copy(BufferedReader out, Path log, CompletableFuture<int[]> ports) {
        int[] found = {-1, -1};
        try (var w = Files.newBufferedWriter(log, StandardCharsets.UTF_8)) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                w.write(line);
                w.newLine();
                w.flush();
                Matcher h = HTTP.matcher(line);
                Matcher g = GRPC.matcher(line);
                if (h.find()) {
                    found[0] = Integer.parseInt(h.group(1));
                } else if (g.find()) {
                    found[1] = Integer.parseInt(g.group(1));
                }
                if (found[0] > 0 && found[1] > 0) {
                    ports.complete(found.clone());
                }
            }
            ports.completeExceptionally(new IllegalStateException("server output ended"));
        } catch (IOException e) {
            ports.completeExceptionally(e);
        }
    }

    /** Sends SIGTERM, as Kubernetes does, and waits for the exit; the exit status, or -1 past {@code within}. */
    int terminate(Duration within) throws InterruptedException {
        // Through the handle: Process.destroy() would also close our end of its output, losing what it prints.
        process.toHandle().destroy();
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** The process's resident memory in KiB (VmRSS of /proc), or -1 where /proc is not there. */
    long residentKib() throws IOException {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        if (!Files.exists(status)) {
            return -1;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /** What the server printed so far; once it has exited, all of it. */
    String logText() throws IOException, InterruptedException {
        if (!process.isAlive()) {
            copier.join(10_000);
        }
        return Files.readString(log);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
