package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.collective.AllReduceBenchmark;
import io.ringfold.collective.Communicator;
import io.ringfold.collective.SharedMemoryCommunicator;
import io.ringfold.collective.TcpRendezvous;
import io.ringfold.collective.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code ringfold bench allreduce --nproc N --sizes ...}: float32 SUM allreduce across N local processes
 * (through shared memory or over TCP: {@code --transport}), reported as nccl-tests does (algorithm bandwidth, bus bandwidth = algbw x 2(n-1)/n), with the
 * raw TCP throughput between two of the processes measured in the same run. This process is rank 0 and
 * starts ranks 1..N-1 as child processes.
 */
@Command(name = "allreduce", mixinStandardHelpOptions = true,
        description = "AllReduce bandwidth and latency across N local processes, against raw TCP.")
final class BenchAllReduceCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--nproc", description = "Processes (default: 2).")
    int nproc = 2;

    @Option(names = "--sizes", split = ",", paramLabel = "SIZE", description = "Buffer sizes in bytes, with K/M "
            + "suffixes (default: 8,1K,64K,1M,4M,16M,64M).")
    List<String> sizes = List.of("8", "1K", "64K", "1M", "4M", "16M", "64M");

    @Option(names = "--iterations", description = "Timed iterations per size (default: 100).")
    int iterations = 100;

    @Option(names = "--warmup", description = "Untimed iterations per size (default: 20).")
    int warmup = 20;

    @Option(names = "--transport", paramLabel = "KIND", description = "auto (default: shared memory, the processes "
            + "being on this host), tcp or shm.")
    String transport = "auto";

    @Option(names = "--json", description = "One JSON object per size.")
    boolean json;

    @Option(names = "--rank", hidden = true)
    Integer rank;

    @Option(names = "--rendezvous", hidden = true)
    String rendezvous;

    @Override
    public Integer call() throws Exception {
        if (nproc < 2) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--nproc: " + nproc + " (expected: >= 2)");
        }
        if (iterations <= 0 || warmup < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--iterations " + iterations
                    + " --warmup " + warmup + " (expected: iterations > 0, warmup >= 0)");
        }
        Transport kind;
        try {
            kind = Transport.parse(transport);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        long[] bytes = new long[sizes.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = parseSize(sizes.get(i));
        }
        Duration timeout = Duration.ofSeconds(60);
        if (rank != null) {
            String[] hp = rendezvous.split(":");
            try (Communicator c = kind.over(TcpRendezvous.join(hp[0], Integer.parseInt(hp[1]), rank, nproc, timeout))) {
                AllReduceBenchmark.run(c, bytes, warmup, iterations);
                AllReduceBenchmark.rawTcp(c, "127.0.0.1", 256L << 20);
                AllReduceBenchmark.rawTcpDuplex(c, "127.0.0.1", 256L << 20);
            }
            return 0;
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<Process> children = new ArrayList<>();
        PrintWriter out = spec.commandLine().getOut();
        try {
            for (int r = 1; r < nproc; r++) {
                List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                        RingfoldCommand.class.getName(), "bench", "allreduce", "--nproc", Integer.toString(nproc),
                        "--sizes", String.join(",", sizes), "--iterations", Integer.toString(iterations),
                        "--warmup", Integer.toString(warmup), "--transport", transport, "--rank", Integer.toString(r),
                        "--rendezvous", "127.0.0.1:" + port));
                children.add(new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start());
            }
            List<AllReduceBenchmark.Result> results;
            double raw;
            double duplex;
            String via;
            try (Communicator c = kind.over(TcpRendezvous.join("127.0.0.1", port, 0, nproc, timeout))) {
                via = c instanceof SharedMemoryCommunicator ? "shm" : "tcp";
                results = AllReduceBenchmark.run(c, bytes, warmup, iterations);
                raw = AllReduceBenchmark.rawTcp(c, "127.0.0.1", 256L << 20);
                duplex = AllReduceBenchmark.rawTcpDuplex(c, "127.0.0.1", 256L << 20);
            }
            if (!json) {
                out.printf(Locale.ROOT, "%d processes, %s; raw TCP between two of them: %.2f GB/s one way, "
                        + "%.2f GB/s per direction both ways at once%n", nproc,
                        via.equals("shm") ? "through shared memory" : "over loopback TCP", raw, duplex);
                out.printf(Locale.ROOT, "%12s %12s %12s %12s %10s%n", "size_bytes", "time_us", "algbw_GB/s", "busbw_GB/s",
                        "busbw/raw");
            }
            for (AllReduceBenchmark.Result r : results) {
                if (json) {
                    ObjectNode n = JSON.createObjectNode();
                    n.put("size_bytes", r.sizeBytes());
                    n.put("ranks", r.ranks());
                    n.put("transport", via);
                    n.put("iterations", r.iterations());
                    n.put("time_us", r.medianSeconds() * 1e6);
                    n.put("algbw_gbps", r.algbwGBps());
                    n.put("busbw_gbps", r.busbwGBps());
                    n.put("raw_tcp_gbps", raw);
                    n.put("raw_tcp_duplex_gbps", duplex);
                    out.println(n);
                } else {
                    out.printf(Locale.ROOT, "%12d %12.1f %12.3f %12.3f %9.0f%%%n", r.sizeBytes(), r.medianSeconds() * 1e6,
                            r.algbwGBps(), r.busbwGBps(), raw > 0 ? 100 * r.busbwGBps() / raw : 0);
                }
            }
            for (Process p : children) {
                if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IllegalStateException("bench allreduce: a worker process failed");
                }
            }
            return 0;
        } finally {
            children.forEach(Process::destroyForcibly);
        }
    }

    static long parseSize(String s) {
        String t = s.trim().toUpperCase(Locale.ROOT);
        long mult = 1;
        if (t.endsWith("K")) {
            mult = 1024;
        } else if (t.endsWith("M")) {
            mult = 1024 * 1024;
        } else if (t.endsWith("G")) {
            mult = 1024L * 1024 * 1024;
        }
        String digits = mult == 1 ? t : t.substring(0, t.length() - 1);
        long v;
        try {
            v = Long.parseLong(digits) * mult;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--sizes: " + s + " (expected: bytes, e.g. 8, 64K, 4M)");
        }
        if (v < 0 || v % 4 != 0) {
            throw new IllegalArgumentException("--sizes: " + s + " (expected: a multiple of 4 bytes, float32 elements)");
        }
        return v;
    }
}
