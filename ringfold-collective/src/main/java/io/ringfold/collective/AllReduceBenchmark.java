package io.ringfold.collective;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Allreduce throughput and latency as nccl-tests reports them, for any {@link Communicator}; every rank
 * calls the same method with the same arguments. algbw = S / t for S bytes reduced in t seconds; busbw =
 * algbw x 2(n-1)/n, the rate each link must carry for a ring, comparable with the raw link bandwidth that
 * {@link #rawTcp} measures on the same path. Bandwidths are in GB/s (10^9 bytes per second).
 */
public final class AllReduceBenchmark {

    /**
     * One size: the median time of one float32 SUM allreduce across iterations (the slowest rank's median),
     * and the bandwidths derived from it.
     */
    public record Result(long sizeBytes, int ranks, int iterations, double medianSeconds, double algbwGBps,
            double busbwGBps) {
    }

    private AllReduceBenchmark() {
    }

    /** Times {@code iterations} allreduces per size (after {@code warmup} untimed ones); sizes in bytes, multiples of 4. */
    public static List<Result> run(Communicator c, long[] sizesBytes, int warmup, int iterations) {
        if (iterations <= 0 || warmup < 0) {
            throw new IllegalArgumentException("iterations: " + iterations + ", warmup: " + warmup
                    + " (expected: iterations > 0, warmup >= 0)");
        }
        List<Result> out = new ArrayList<>();
        int n = c.size();
        long[] times = new long[iterations];
        for (long bytes : sizesBytes) {
            if (bytes < 0 || bytes % 4 != 0 || bytes / 4 > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("size: " + bytes + " bytes (expected: a multiple of 4, >= 0, < 8 GiB)");
            }
            int len = (int) (bytes / 4);
            float[] buf = new float[len];
            Arrays.fill(buf, 1f);
            for (int i = 0; i < warmup; i++) {
                c.allReduce(buf, 0, len, ReduceOp.SUM);
            }
            c.barrier();
            for (int i = 0; i < iterations; i++) {
                long t0 = System.nanoTime();
                c.allReduce(buf, 0, len, ReduceOp.SUM);
                times[i] = System.nanoTime() - t0;
            }
            long[] sorted = times.clone();
            Arrays.sort(sorted);
            double[] median = {sorted[iterations / 2] * 1e-9};
            c.allReduce(median, 0, 1, ReduceOp.MAX);
            double algbw = bytes / median[0] / 1e9;
            out.add(new Result(bytes, n, iterations, median[0], algbw, algbw * 2.0 * (n - 1) / n));
        }
        return out;
    }

    /**
     * Raw TCP throughput in GB/s from rank 0 to rank 1 over a fresh connection (one stream, 1 MiB writes,
     * TCP_NODELAY): rank 1 listens on {@code host}, its own address (where the other ranks reach it; every
     * rank passes its own, only rank 1's is used), publishes it with an all-gather, reads {@code bytes} and
     * answers one byte. Other ranks only take part in the all-gather and a barrier. Returns the rate on
     * every rank (0 where the group has one rank).
     */
    public static double rawTcp(Communicator c, String host, long bytes) {
        if (c.size() < 2) {
            return 0;
        }
        double[] rate = {0};
        try (ServerSocket server = c.rank() == 1 ? new ServerSocket(0, 1, java.net.InetAddress.getByName(host)) : null) {
            InetSocketAddress rank1 = rank1Address(c, server);
            byte[] chunk = new byte[1 << 20];
            if (c.rank() == 0) {
                try (Socket s = new Socket()) {
                    s.setTcpNoDelay(true);
                    s.connect(rank1, (int) c.timeout().toMillis());
                    s.setSoTimeout((int) c.timeout().toMillis());
                    OutputStream out = s.getOutputStream();
                    long t0 = System.nanoTime();
                    for (long left = bytes; left > 0; left -= chunk.length) {
                        out.write(chunk, 0, (int) Math.min(chunk.length, left));
                    }
                    out.flush();
                    if (s.getInputStream().read() < 0) {
                        throw new IOException("rank 1 closed before acknowledging");
                    }
                    rate[0] = bytes / ((System.nanoTime() - t0) * 1e-9) / 1e9;
                }
            } else if (c.rank() == 1) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout((int) c.timeout().toMillis());
                    InputStream in = s.getInputStream();
                    for (long left = bytes; left > 0;) {
                        int r = in.read(chunk, 0, (int) Math.min(chunk.length, left));
                        if (r < 0) {
                            throw new IOException("rank 0 closed after " + (bytes - left) + " of " + bytes + " bytes");
                        }
                        left -= r;
                    }
                    s.getOutputStream().write(1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("raw TCP measurement on rank " + c.rank() + " failed: "
                    + CollectiveException.reason(e), e);
        }
        c.broadcast(new byte[0], 0, 0, 0);
        c.allReduce(rate, 0, 1, ReduceOp.MAX);
        return rate[0];
    }

    /**
     * Raw TCP throughput per direction in GB/s with both directions loaded at once, as a ring loads every
     * link: ranks 0 and 1 each send {@code bytes} to the other over one connection (a second thread
     * writes while the caller reads) and the rate is {@code bytes} over the time until both have
     * received everything. On a full-duplex network link this equals the one-way rate; on loopback both
     * directions' copies share the same cores, which a ring also meets. {@code host} as for {@link
     * #rawTcp}. Other ranks only take part in the all-gather and a barrier. Returns the slower rank's rate
     * on every rank.
     */
    public static double rawTcpDuplex(Communicator c, String host, long bytes) {
        if (c.size() < 2) {
            return 0;
        }
        double[] rate = {0};
        try (ServerSocket server = c.rank() == 1 ? new ServerSocket(0, 1, java.net.InetAddress.getByName(host)) : null) {
            InetSocketAddress rank1 = rank1Address(c, server);
            if (c.rank() <= 1) {
                try (Socket s = c.rank() == 0 ? new Socket() : server.accept()) {
                    if (c.rank() == 0) {
                        s.connect(rank1, (int) c.timeout().toMillis());
                    }
                    s.setTcpNoDelay(true);
                    s.setSoTimeout((int) c.timeout().toMillis());
                    rate[0] = duplex(s, bytes);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("raw duplex TCP measurement on rank " + c.rank() + " failed: "
                    + CollectiveException.reason(e), e);
        }
        c.broadcast(new byte[0], 0, 0, 0);
        rate[0] = rate[0] == 0 ? Double.MAX_VALUE : rate[0];
        double[] min = {-rate[0]};
        c.allReduce(min, 0, 1, ReduceOp.MAX);
        return -min[0];
    }

    /**
     * The address and port rank 1 listens on ({@code server}, null on other ranks), told to every rank by an
     * all-gather; rank 1's accept then waits at most the communicator's timeout.
     */
    private static InetSocketAddress rank1Address(Communicator c, ServerSocket server) throws IOException {
        byte[] me = server != null ? (server.getInetAddress().getHostAddress() + " " + server.getLocalPort())
                .getBytes(StandardCharsets.US_ASCII) : new byte[0];
        byte[][] all = c.allGather(me);
        if (server != null) {
            server.setSoTimeout((int) c.timeout().toMillis());
        }
        String[] hostPort = new String(all[1], StandardCharsets.US_ASCII).split(" ");
        return new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    }

    private static double duplex(Socket s, long bytes) throws IOException {
        byte[] out = new byte[1 << 20];
        byte[] in = new byte[1 << 20];
        IOException[] failed = new IOException[1];
        long t0 = System.nanoTime();
        Thread writer = new Thread(() -> {
            try {
                OutputStream o = s.getOutputStream();
                for (long left = bytes; left > 0; left -= out.length) {
                    o.write(out, 0, (int) Math.min(out.length, left));
                }
                o.flush();
            } catch (IOException e) {
                failed[0] = e;
            }
        }, "raw-tcp-duplex-writer");
        writer.start();
        InputStream i = s.getInputStream();
        for (long left = bytes; left > 0;) {
            int r = i.read(in, 0, (int) Math.min(in.length, left));
            if (r < 0) {
                throw new IOException("the peer closed after " + (bytes - left) + " of " + bytes + " bytes");
            }
            left -= r;
        }
        try {
            writer.join(s.getSoTimeout());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the writer was sending", e);
        }
        if (failed[0] != null) {
            throw failed[0];
        }
        if (writer.isAlive()) {
            throw new IOException("the writer did not finish within " + s.getSoTimeout() + " ms");
        }
        return bytes / ((System.nanoTime() - t0) * 1e-9) / 1e9;
    }
}
