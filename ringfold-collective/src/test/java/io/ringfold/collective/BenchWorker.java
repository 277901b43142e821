package io.ringfold.collective;

import java.time.Duration;
import java.util.Locale;

/**
 * One rank of a measurement (see docs/collectives.md): {@code BenchWorker host:port rank size smallMaxBytes
 * chunkBytes iterations size1,size2,...}. Rank 0 prints one line per size and the raw TCP rate.
 */
public final class BenchWorker {

    private BenchWorker() {
    }

    public static void main(String[] args) {
        int rank = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        TcpOptions o = TcpOptions.defaults(Duration.ofSeconds(60)).withChunkBytes(Integer.parseInt(args[4]))
                .withSmallMaxBytes(Integer.parseInt(args[3]));
        String[] s = args[6].split(",");
        long[] sizes = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            sizes[i] = Long.parseLong(s[i]);
        }
        int iterations = Integer.parseInt(args[5]);
        try (TcpCommunicator c = TcpRendezvous.join(rank == 0 ? TcpEndpoint.bind("127.0.0.1", TcpEndpoint.parse(args[0]).getPort())
                : TcpEndpoint.bind("127.0.0.1", 0), TcpEndpoint.parse(args[0]), rank, size, o)) {
            for (AllReduceBenchmark.Result r : AllReduceBenchmark.run(c, sizes, Math.max(3, iterations / 10), iterations)) {
                if (rank == 0) {
                    System.out.printf(Locale.ROOT, "n=%d smallMax=%d chunk=%d size=%d median_us=%.1f algbw_GBps=%.3f busbw_GBps=%.3f%n",
                            size, o.smallMaxBytes(), o.chunkBytes(), r.sizeBytes(), r.medianSeconds() * 1e6, r.algbwGBps(),
                            r.busbwGBps());
                }
            }
            double raw = AllReduceBenchmark.rawTcp(c, "127.0.0.1", 1L << 30);
            if (rank == 0) {
                System.out.printf(Locale.ROOT, "n=%d raw_tcp_GBps=%.3f%n", size, raw);
            }
        }
    }
}
