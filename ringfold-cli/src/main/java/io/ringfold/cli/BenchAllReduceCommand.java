package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.collective.AllReduceBenchmark;
import io.ringfold.collective.Communicator;
import io.ringfold.collective.SharedMemoryCommunicator;
import io.ringfold.collective.TcpCommunicator;
import io.ringfold.collective.TcpEndpoint;
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
 * (through shared memory or over TCP: {@code --transport}), reported as nccl-tests does (algorithm
 * bandwidth, bus bandwidth = algbw x 2(n-1)/n), with the raw TCP throughput between ranks 0 and 1 measured
 * in the same run. This process is rank 0 and starts ranks 1..N-1 as child processes. With {@code --rank R
 * --world-size N --rendezvous HOST:PORT} instead, this process is one rank of a group formed as for
 * {@code train} (one per machine), and rank 0 prints the results.
 */
@Command(name = "allreduce", mixinStandardHelpOptions = true,
        description = "AllReduce bandwidth and latency across N processes, against raw TCP between two of them.")
final class BenchAllReduceCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--nproc", description = "Local processes (default: 2).")
    int nproc = 2;

    @Option(names = "--sizes", split = ",", paramLabel = "SIZE", description = "Buffer sizes in bytes, with K/M "
            + "suffixes (default: 8,1K,64K,1M,4M,16M,64M).")
    List<String> sizes = List.of("8", "1K", "64K", "1M", "4M", "16M", "64M");

    @Option(names = "--iterations", description = "Timed iterations per size (default: 100).")
    int iterations = 100;

    @Option(names = "--warmup", description = "Untimed iterations per size (default: 20).")
    int warmup = 20;

    @Option(names = "--transport", paramLabel = "KIND", description = "auto (default: shared memory when every "
            + "process is on this host, TCP otherwise), tcp or shm.")
    String transport = "auto";

    @Option(names = "--json", description = "One JSON object per size.")
    boolean json;

    @Option(names = "--rank", description = "This process's rank, for one process per machine (with --world-size "
            + "and --rendezvous, instead of --nproc).")
    Integer rank;

    @Option(names = "--world-size", description = "Number of processes, one per machine.")
    Integer worldSize;

    @Option(names = "--rendezvous", paramLabel = "HOST:PORT", description = "Where rank 0 listens and the others "
            + "connect (rank 0 binds it: an address of rank 0's machine).")
    String rendezvous;

    @Override
    public Integer call() throws Exception {
        picocli.CommandLine cl = spec.commandLine();
        if (iterations <= 0 || warmup < 0) {
            throw new picocli.CommandLine.ParameterException(cl, "--iterations " + iterations
                    + " --warmup " + warmup + " (expected: iterations > 0, warmup >= 0)");
        }
        Transport kind;
        try {
            kind = Transport.parse(transport);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(cl, "--" + e.getMessage());
        }
        long[] bytes = new long[sizes.size()];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = parseSize(sizes.get(i));
        }
        if (rank != null || worldSize != null || rendezvous != null) {
            java.net.InetSocketAddress at = checkGroup(cl);
            runRank(kind, bytes, at.getHostString(), at.getPort(), rank, worldSize, cl.getOut());
            return 0;
        }
        if (nproc < 2) {
            throw new picocli.CommandLine.ParameterException(cl, "--nproc: " + nproc + " (expected: >= 2)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        List<Process> children = new ArrayList<>();
        try {
            for (int r = 1; r < nproc; r++) {
                List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                        RingfoldCommand.class.getName(), "bench", "allreduce", "--sizes", String.join(",", sizes),
                        "--iterations", Integer.toString(iterations), "--warmup", Integer.toString(warmup),
                        "--transport", transport, "--rank", Integer.toString(r), "--world-size", Integer.toString(nproc),
                        "--rendezvous", "127.0.0.1:" + port));
                children.add(new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start());
            }
            runRank(kind, bytes, "127.0.0.1", port, 0, nproc, cl.getOut());
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

    /** --rank, --world-size and --rendezvous, all three and consistent, without --nproc; rank 0's address. */
    private java.net.InetSocketAddress checkGroup(picocli.CommandLine cl) {
        if (rank == null || worldSize == null || rendezvous == null) {
            throw new picocli.CommandLine.ParameterException(cl, "--rank, --world-size and --rendezvous go together "
                    + "(expected: all three, for one process per machine)");
        }
        if (cl.getParseResult().hasMatchedOption("--nproc")) {
            throw new picocli.CommandLine.ParameterException(cl, "--nproc with --rank/--world-size/--rendezvous "
                    + "(expected: --nproc for local processes, or the other three for one process per machine)");
        }
        if (worldSize < 2) {
            throw new picocli.CommandLine.ParameterException(cl, "--world-size: " + worldSize + " (expected: >= 2)");
        }
        if (rank < 0 || rank >= worldSize) {
            throw new picocli.CommandLine.ParameterException(cl, "--rank: " + rank + " (expected: 0.." + (worldSize - 1)
                    + " for --world-size " + worldSize + ")");
        }
        try {
            return TcpEndpoint.parse(rendezvous);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(cl, "--rendezvous: " + e.getMessage());
        }
    }

    /**
     * One rank: joins the group at {@code host:port}, runs every size, measures raw TCP to rank 1 at the
     * address it advertised to the group, and on rank 0 prints the results.
     */
    private void runRank(Transport kind, long[] bytes, String host, int port, int r, int n, PrintWriter out) {
        Duration timeout = Duration.ofSeconds(60);
        TcpCommunicator tcp = TcpRendezvous.join(host, port, r, n, timeout);
        String self = tcp.address().getAddress().getHostAddress();
        List<AllReduceBenchmark.Result> results;
        double raw;
        double duplex;
        String via;
        try (Communicator c = kind.over(tcp)) {
            via = c instanceof SharedMemoryCommunicator ? "shm" : "tcp";
            results = AllReduceBenchmark.run(c, bytes, warmup, iterations);
            raw = AllReduceBenchmark.rawTcp(c, self, 256L << 20);
            duplex = AllReduceBenchmark.rawTcpDuplex(c, self, 256L << 20);
        }
        if (r == 0) {
            print(out, n, via, raw, duplex, results);
        }
    }

    private void print(PrintWriter out, int n, String via, double raw, double duplex, List<AllReduceBenchmark.Result> results) {
        if (!json) {
            out.printf(Locale.ROOT, "%d processes, %s; raw TCP between ranks 0 and 1: %.2f GB/s one way, "
                    + "%.2f GB/s per direction both ways at once%n", n,
                    via.equals("shm") ? "through shared memory" : "over TCP", raw, duplex);
            out.printf(Locale.ROOT, "%12s %12s %12s %12s %10s%n", "size_bytes", "time_us", "algbw_GB/s", "busbw_GB/s",
                    "busbw/raw");
        }
        for (AllReduceBenchmark.Result r : results) {
            if (json) {
                ObjectNode o = JSON.createObjectNode();
                o.put("size_bytes", r.sizeBytes());
                o.put("ranks", r.ranks());
                o.put("transport", via);
                o.put("iterations", r.iterations());
                o.put("time_us", r.medianSeconds() * 1e6);
                o.put("algbw_gbps", r.algbwGBps());
                o.put("busbw_gbps", r.busbwGBps());
                o.put("raw_tcp_gbps", raw);
                o.put("raw_tcp_duplex_gbps", duplex);
                out.println(o);
            } else {
                out.printf(Locale.ROOT, "%12d %12.1f %12.3f %12.3f %9.0f%%%n", r.sizeBytes(), r.medianSeconds() * 1e6,
                        r.algbwGBps(), r.busbwGBps(), raw > 0 ? 100 * r.busbwGBps() / raw : 0);
            }
        }
        out.flush();
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
