package io.ringfold.collective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The contract through shared memory: ranks are threads of this JVM, each joining over real TCP and then
 * mapping the same segment, the code path of separate processes. Halves of 256 KiB, so that moderate
 * buffers take many chunks and both allreduce algorithms run (whole chunks up to 64 KiB, slices above).
 */
class SharedMemoryCommunicatorTest extends CommunicatorContractTest {

    static final int HALF_BYTES = 256 * 1024;

    @Override
    protected List<Communicator> create(int size, Duration timeout) {
        return group(size, TcpCommunicatorTest.options(timeout), HALF_BYTES);
    }

    static List<Communicator> group(int size, TcpOptions o, int halfBytes) {
        List<Communicator> tcp = TcpCommunicatorTest.group(size, o);
        List<Communicator> out = new ArrayList<>();
        for (Communicator c : Ranks.all(tcp, c -> Transport.SHM.over((TcpCommunicator) c, halfBytes))) {
            out.add(c);
        }
        return out;
    }

    @Test
    void autoChoosesSharedMemoryOnOneHostAndLeavesNoFileBehind() throws IOException {
        List<Communicator> tcp = TcpCommunicatorTest.group(2, TcpCommunicatorTest.options(TIMEOUT));
        List<Communicator> shm = Ranks.all(tcp, c -> Transport.AUTO.over((TcpCommunicator) c));
        try {
            long pid = ProcessHandle.current().pid();
            for (int r = 0; r < 2; r++) {
                assertThat(shm.get(r)).isInstanceOf(SharedMemoryCommunicator.class);
                assertThat(shm.get(r).describe()).startsWith("shm rank " + r + "/2 (pid " + pid + ") over tcp rank " + r);
            }
            Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
            try (Stream<Path> files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).noneMatch(f -> f.startsWith("ringfold-" + pid + "-"));
            }
            Ranks.all(shm, c -> {
                long[] x = {c.rank() + 1L};
                c.allReduce(x, 0, 1, ReduceOp.SUM);
                assertThat(x[0]).isEqualTo(3L);
                return null;
            });
        } finally {
            shm.forEach(Communicator::close);
        }
    }

    /**
     * The copy-free reduce-scatter gives every rank the block the plain one gives, for 1 to 4 ranks and
     * blocks from 0 longs to the largest that fits one unit; a larger block is refused (false, nothing
     * begun) and the next plain call still matches on every rank; a rank calling it against a peer's
     * plain call of another size fails with both calls named.
     */
    @Test
    void inPlaceReduceScatterMatchesThePlainOne() {
        int fits = HALF_BYTES / 8;
        for (int size = 1; size <= 4; size++) {
            List<Communicator> comms = create(size, TIMEOUT);
            int n = size;
            try {
                for (int block : new int[] {0, 1, 7, 1000, fits / n}) {
                    List<long[]> results = Ranks.all(comms, c -> {
                        long[] plain = contributions(c.rank(), n, block);
                        c.reduceScatter(plain, 0, block, ReduceOp.SUM);
                        long[] viaSegment = new long[block];
                        boolean done = ((InPlaceReduceScatter) c).reduceScatterInPlace(block,
                                (peer, dst, index) -> {
                                    long[] mine = contributions(c.rank(), n, block);
                                    dst.put(index, mine, peer * block, block);
                                },
                                (from, index) -> {
                                    long[] mine = contributions(c.rank(), n, block);
                                    for (int i = 0; i < block; i++) {
                                        long sum = mine[c.rank() * block + i];
                                        for (int q = 0; q < n; q++) {
                                            if (q != c.rank()) {
                                                sum += from[q].get(index[q] + i);
                                            }
                                        }
                                        viaSegment[i] = sum;
                                    }
                                });
                        assertThat(done).isTrue();
                        long[] expected = java.util.Arrays.copyOfRange(plain, c.rank() * block, (c.rank() + 1) * block);
                        assertThat(viaSegment).as("rank %d of %d, block %d", c.rank(), n, block).containsExactly(expected);
                        return viaSegment;
                    });
                    assertThat(results).hasSize(n);
                }
                refusedWithoutACollective(comms, c -> ((InPlaceReduceScatter) c).reduceScatterInPlace(fits / n + 1,
                        (peer, dst, index) -> { throw new AssertionError("must not be called"); },
                        (from, index) -> { throw new AssertionError("must not be called"); }));
            } finally {
                comms.forEach(Communicator::close);
            }
        }
        mismatchFailsOnBothRanks(
                c -> ((InPlaceReduceScatter) c).reduceScatterInPlace(10, (peer, dst, index) -> { }, (from, index) -> { }),
                c -> c.reduceScatter(new long[22], 0, 11, ReduceOp.SUM), "reducescatter #1 (int64 x ");
    }

    /**
     * The in-place all-gather gives every rank the plain all-gather's result, for 1-4 ranks and blocks from
     * 0 floats to the largest that fits a unit; with one rank neither callback runs; a block too big for a
     * unit returns false (no collective begun) and the next plain call still matches on every rank; a rank
     * calling it against a peer's plain all-gather of another size fails with both calls named.
     */
    @Test
    void inPlaceAllGatherMatchesThePlainOne() {
        int fits = HALF_BYTES / 4;
        for (int size = 1; size <= 4; size++) {
            List<Communicator> comms = create(size, TIMEOUT);
            int n = size;
            try {
                for (int block : new int[] {0, 1, 7, 1000, fits}) {
                    Ranks.all(comms, c -> {
                        float[] plain = new float[n * block];
                        float[] mine = block(c.rank(), block);
                        System.arraycopy(mine, 0, plain, c.rank() * block, block);
                        c.allGather(plain, 0, block);
                        float[] viaSegment = new float[n * block];
                        System.arraycopy(mine, 0, viaSegment, c.rank() * block, block);
                        boolean done = ((InPlaceAllGather) c).allGatherInPlace(block,
                                (dst, index) -> {
                                    assertThat(n).isGreaterThan(1);
                                    dst.put(index, mine, 0, block);
                                },
                                (from, index) -> {
                                    assertThat(from[c.rank()]).isNull();
                                    for (int q = 0; q < n; q++) {
                                        if (q != c.rank()) {
                                            from[q].get(index[q], viaSegment, q * block, block);
                                        }
                                    }
                                });
                        assertThat(done).isTrue();
                        assertThat(viaSegment).as("rank %d of %d, block %d", c.rank(), n, block).containsExactly(plain);
                        return null;
                    });
                }
                refusedWithoutACollective(comms, c -> ((InPlaceAllGather) c).allGatherInPlace(fits + 1,
                        (dst, index) -> { throw new AssertionError("must not be called"); },
                        (from, index) -> { throw new AssertionError("must not be called"); }));
            } finally {
                comms.forEach(Communicator::close);
            }
        }
        mismatchFailsOnBothRanks(
                c -> ((InPlaceAllGather) c).allGatherInPlace(10, (dst, index) -> { }, (from, index) -> { }),
                c -> c.allGather(new float[22], 0, 11), "allgather #1 (float32 x ");
    }

    /** An in-place call that must refuse its block (false, no collective begun): the next plain call still matches. */
    private static void refusedWithoutACollective(List<Communicator> comms, java.util.function.Predicate<Communicator> call) {
        int n = comms.size();
        Ranks.all(comms, c -> {
            assertThat(call.test(c)).isFalse();
            long[] x = {c.rank() + 1L};
            c.allReduce(x, 0, 1, ReduceOp.SUM);
            assertThat(x[0]).isEqualTo((long) n * (n + 1) / 2);
            return null;
        });
    }

    /** Rank 0 makes the in-place call, rank 1 a plain one of another size: both fail naming the call. */
    private void mismatchFailsOnBothRanks(java.util.function.Consumer<Communicator> inPlace,
                                          java.util.function.Consumer<Communicator> plain, String named) {
        List<Communicator> two = create(2, Duration.ofSeconds(5));
        try {
            List<Ranks.Outcome<Object>> outcomes = Ranks.run(two, c -> {
                (c.rank() == 0 ? inPlace : plain).accept(c);
                return null;
            });
            for (Ranks.Outcome<Object> o : outcomes) {
                assertThat(o.error()).isInstanceOf(CollectiveException.class);
                assertThat(o.error().getMessage()).contains(named);
            }
        } finally {
            two.forEach(Communicator::close);
        }
    }

    /** Rank r's block: distinct values per rank and element, some negative. */
    private static float[] block(int rank, int block) {
        float[] v = new float[block];
        for (int i = 0; i < block; i++) {
            v[i] = (rank + 1) * 1000.5f + i * (i % 3 == 0 ? -0.25f : 0.5f);
        }
        return v;
    }

    /** Rank r's contribution to every block: distinct values per rank, block and element, some negative. */
    private static long[] contributions(int rank, int ranks, int block) {
        long[] v = new long[ranks * block];
        for (int i = 0; i < v.length; i++) {
            v[i] = (rank + 1L) * 1_000_003L * (i + 1) * (i % 3 == 0 ? -1 : 1) + (1L << 40);
        }
        return v;
    }

    @Test
    void tcpTransportKeepsTheTcpCommunicatorAndNamesAreParsed() {
        List<Communicator> tcp = TcpCommunicatorTest.group(1, TcpCommunicatorTest.options(TIMEOUT));
        try {
            assertThat(Transport.TCP.over((TcpCommunicator) tcp.get(0))).isSameAs(tcp.get(0));
        } finally {
            tcp.get(0).close();
        }
        assertThat(Transport.parse("auto")).isEqualTo(Transport.AUTO);
        assertThat(Transport.parse("shm")).isEqualTo(Transport.SHM);
        assertThatThrownBy(() -> Transport.parse("rdma")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("transport: rdma (expected: auto, tcp or shm)");
    }
}
