package io.ringfold.collective;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The contract of the in-place collectives ({@link InPlaceReduceScatter}, {@link InPlaceAllGather}), run
 * against every communicator that has them: mixed into each one's contract test class.
 */
interface InPlaceContract {

    /** The largest block the correctness tests use, whatever an implementation would take. */
    int TESTED_BLOCK = 1 << 16;

    /** {@code size} communicators of one new group, index = rank; the test closes them. */
    List<Communicator> inPlaceGroup(int size, Duration timeout);

    /** The largest block of longs the in-place reduce-scatter takes with {@code ranks} ranks. */
    int largestReduceScatterBlock(int ranks);

    /** The largest block of floats the in-place all-gather takes with {@code ranks} ranks. */
    int largestAllGatherBlock(int ranks);

    /**
     * The copy-free reduce-scatter gives every rank the block the plain one gives, for 1 to 4 ranks and
     * blocks from 0 longs up; a block larger than the largest is refused (false, nothing begun) and the
     * next plain call still matches on every rank; a rank calling it against a peer's plain call of another
     * size fails with both calls named.
     */
    @Test
    default void inPlaceReduceScatterMatchesThePlainOne() {
        for (int size = 1; size <= 4; size++) {
            List<Communicator> comms = inPlaceGroup(size, CommunicatorContractTest.TIMEOUT);
            int n = size;
            int largest = largestReduceScatterBlock(n);
            try {
                for (int block : new int[] {0, 1, 7, 1000, Math.min(largest, TESTED_BLOCK)}) {
                    Ranks.all(comms, c -> {
                        long[] plain = contributions(c.rank(), n, block, 0);
                        c.reduceScatter(plain, 0, block, ReduceOp.SUM);
                        long[] inPlace = reduceScatterInPlace(c, block, 0);
                        long[] expected = Arrays.copyOfRange(plain, c.rank() * block, (c.rank() + 1) * block);
                        assertThat(inPlace).as("rank %d of %d, block %d", c.rank(), n, block).containsExactly(expected);
                        return null;
                    });
                }
                refusedWithoutACollective(comms, c -> ((InPlaceReduceScatter) c).reduceScatterInPlace(largest + 1,
                        (peer, dst, index) -> { throw new AssertionError("must not be called"); },
                        (from, index) -> { throw new AssertionError("must not be called"); }));
            } finally {
                comms.forEach(Communicator::close);
            }
        }
        mismatchFailsOnBothRanks(
                c -> ((InPlaceReduceScatter) c).reduceScatterInPlace(10, (peer, dst, index) -> { }, (from, index) -> { }),
                c -> c.reduceScatter(new long[22], 0, 11, ReduceOp.SUM), "int64 x 10", "int64 x 11");
    }

    /**
     * The in-place all-gather gives every rank the plain all-gather's result, for 1-4 ranks and blocks from
     * 0 floats up; with one rank neither callback runs; a block too big returns false (no collective begun)
     * and the next plain call still matches on every rank; a rank calling it against a peer's plain
     * all-gather of another size fails with both calls named.
     */
    @Test
    default void inPlaceAllGatherMatchesThePlainOne() {
        for (int size = 1; size <= 4; size++) {
            List<Communicator> comms = inPlaceGroup(size, CommunicatorContractTest.TIMEOUT);
            int n = size;
            int largest = largestAllGatherBlock(n);
            try {
                for (int block : new int[] {0, 1, 7, 1000, Math.min(largest, TESTED_BLOCK)}) {
                    Ranks.all(comms, c -> {
                        float[] plain = new float[n * block];
                        System.arraycopy(block(c.rank(), block, 0), 0, plain, c.rank() * block, block);
                        c.allGather(plain, 0, block);
                        assertThat(allGatherInPlace(c, block, 0)).as("rank %d of %d, block %d", c.rank(), n, block)
                                .containsExactly(plain);
                        return null;
                    });
                }
                refusedWithoutACollective(comms, c -> ((InPlaceAllGather) c).allGatherInPlace(largest + 1,
                        (dst, index) -> { throw new AssertionError("must not be called"); },
                        (from, index) -> { throw new AssertionError("must not be called"); }));
            } finally {
                comms.forEach(Communicator::close);
            }
        }
        mismatchFailsOnBothRanks(
                c -> ((InPlaceAllGather) c).allGatherInPlace(10, (dst, index) -> { }, (from, index) -> { }),
                c -> c.allGather(new float[22], 0, 11), "float32 x 10", "float32 x 11");
    }

    /**
     * Back-to-back in-place calls of both kinds, with new values each round and one rank reading slowly
     * every third round, so that a fast rank is writing its next call's contributions while the slow one
     * still reads the last call's: every result stays exact. The calls alternate with a plain allreduce now
     * and then, so in-place calls of either kind follow each other with and without one in between.
     */
    @Test
    default void aFastRankNeverOverwritesWhatASlowOneIsStillReading() {
        for (int size = 2; size <= 3; size++) {
            List<Communicator> comms = inPlaceGroup(size, CommunicatorContractTest.TIMEOUT);
            int n = size;
            int block = 4096;
            try {
                Ranks.all(comms, c -> {
                    for (int round = 0; round < 60; round++) {
                        long slowNanos = c.rank() == round % n && round % 3 == 0 ? 2_000_000 : 0;
                        long[] rs = reduceScatterInPlace(c, block, round, slowNanos);
                        assertThat(rs).as("reduce-scatter, round %d, rank %d of %d", round, c.rank(), n)
                                .containsExactly(expectedBlock(c.rank(), n, block, round));
                        if (round % 4 == 1) {
                            long[] x = {round};
                            c.allReduce(x, 0, 1, ReduceOp.SUM);
                            assertThat(x[0]).isEqualTo((long) n * round);
                        }
                        float[] expected = new float[n * block];
                        for (int q = 0; q < n; q++) {
                            System.arraycopy(block(q, block, round), 0, expected, q * block, block);
                        }
                        assertThat(allGatherInPlace(c, block, round, slowNanos))
                                .as("all-gather, round %d, rank %d of %d", round, c.rank(), n).containsExactly(expected);
                    }
                    return null;
                });
            } finally {
                comms.forEach(Communicator::close);
            }
        }
    }

    private static long[] reduceScatterInPlace(Communicator c, int block, int round) {
        return reduceScatterInPlace(c, block, round, 0);
    }

    /** Rank c's block of the in-place reduce-scatter of {@link #contributions}, reading for at least {@code slowNanos}. */
    private static long[] reduceScatterInPlace(Communicator c, int block, int round, long slowNanos) {
        int n = c.size();
        long[] mine = contributions(c.rank(), n, block, round);
        long[] result = new long[block];
        boolean done = ((InPlaceReduceScatter) c).reduceScatterInPlace(block,
                (peer, dst, index) -> dst.put(index, mine, peer * block, block),
                (from, index) -> {
                    assertThat(from[c.rank()]).isNull();
                    sleep(slowNanos / 2);
                    for (int i = 0; i < block; i++) {
                        long sum = mine[c.rank() * block + i];
                        for (int q = 0; q < n; q++) {
                            if (q != c.rank()) {
                                sum += from[q].get(index[q] + i);
                            }
                        }
                        result[i] = sum;
                    }
                    sleep(slowNanos / 2);
                    // Read again after the pause: a peer that wrote over this call's contributions shows here.
                    for (int i = 0; i < block; i += 97) {
                        long sum = mine[c.rank() * block + i];
                        for (int q = 0; q < n; q++) {
                            if (q != c.rank()) {
                                sum += from[q].get(index[q] + i);
                            }
                        }
                        assertThat(sum).as("element %d read again", i).isEqualTo(result[i]);
                    }
                });
        assertThat(done).isTrue();
        return result;
    }

    private static float[] allGatherInPlace(Communicator c, int block, int round) {
        return allGatherInPlace(c, block, round, 0);
    }

    /** Every rank's {@link #block} gathered in place, rank c's own copied in, reading for at least {@code slowNanos}. */
    private static float[] allGatherInPlace(Communicator c, int block, int round, long slowNanos) {
        int n = c.size();
        float[] mine = block(c.rank(), block, round);
        float[] result = new float[n * block];
        System.arraycopy(mine, 0, result, c.rank() * block, block);
        boolean done = ((InPlaceAllGather) c).allGatherInPlace(block,
                (dst, index) -> {
                    assertThat(n).isGreaterThan(1);
                    dst.put(index, mine, 0, block);
                },
                (from, index) -> {
                    assertThat(from[c.rank()]).isNull();
                    sleep(slowNanos);
                    for (int q = 0; q < n; q++) {
                        if (q != c.rank()) {
                            from[q].get(index[q], result, q * block, block);
                        }
                    }
                });
        assertThat(done).isTrue();
        return result;
    }

    /**
     * Time in the callbacks is the caller's, not the collective's: with every rank sleeping 300 ms in its
     * callbacks, {@code nanosInCollectives} grows by well under that; with the callbacks quick and one rank
     * arriving 300 ms late, the punctual rank's grows by about that much (the wait is the collective's).
     */
    @Test
    default void timeInTheCallbacksIsNotCountedAsTimeInTheCollective() {
        long pause = 300_000_000L;
        List<Communicator> comms = inPlaceGroup(2, CommunicatorContractTest.TIMEOUT);
        try {
            List<Long> slowCallbacks = Ranks.all(comms, c -> {
                long before = c.nanosInCollectives();
                ((InPlaceReduceScatter) c).reduceScatterInPlace(4, (peer, dst, index) -> sleep(pause / 2),
                        (from, index) -> sleep(pause / 2));
                ((InPlaceAllGather) c).allGatherInPlace(4, (dst, index) -> sleep(pause / 2), (from, index) -> sleep(pause / 2));
                return c.nanosInCollectives() - before;
            });
            // Each rank slept 600 ms in its callbacks; both slept alike, so neither waited long for the other.
            assertThat(slowCallbacks).allSatisfy(nanos -> assertThat(nanos).isLessThan(pause / 2));
            List<Long> lateRank = Ranks.all(comms, c -> {
                if (c.rank() == 1) {
                    sleep(pause);
                }
                long before = c.nanosInCollectives();
                ((InPlaceReduceScatter) c).reduceScatterInPlace(4, (peer, dst, index) -> { }, (from, index) -> { });
                return c.nanosInCollectives() - before;
            });
            assertThat(lateRank.get(0)).as("the punctual rank's wait").isGreaterThan(pause * 2 / 3);
            assertThat(lateRank.get(1)).as("the late rank's").isLessThan(pause / 2);
        } finally {
            comms.forEach(Communicator::close);
        }
    }

    private static void sleep(long nanos) {
        if (nanos > 0) {
            try {
                Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** An in-place call that must refuse its block (false, no collective begun): the next plain call still matches. */
    private static void refusedWithoutACollective(List<Communicator> comms, Predicate<Communicator> call) {
        int n = comms.size();
        Ranks.all(comms, c -> {
            assertThat(call.test(c)).isFalse();
            long[] x = {c.rank() + 1L};
            c.allReduce(x, 0, 1, ReduceOp.SUM);
            assertThat(x[0]).isEqualTo((long) n * (n + 1) / 2);
            return null;
        });
    }

    /** Rank 0 makes the in-place call, rank 1 a plain one of another size: both fail naming both calls. */
    private void mismatchFailsOnBothRanks(Consumer<Communicator> inPlace, Consumer<Communicator> plain,
                                          String inPlaceCall, String plainCall) {
        List<Communicator> two = inPlaceGroup(2, Duration.ofSeconds(5));
        try {
            List<Ranks.Outcome<Object>> outcomes = Ranks.run(two, c -> {
                (c.rank() == 0 ? inPlace : plain).accept(c);
                return null;
            });
            for (Ranks.Outcome<Object> o : outcomes) {
                assertThat(o.error()).isInstanceOf(CollectiveException.class);
                assertThat(o.error().getMessage()).contains(inPlaceCall).contains(plainCall);
            }
        } finally {
            two.forEach(Communicator::close);
        }
    }

    /** Rank r's block in a round: distinct values per rank, round and element, some negative. */
    private static float[] block(int rank, int block, int round) {
        float[] v = new float[block];
        for (int i = 0; i < block; i++) {
            v[i] = (rank + 1) * 1000.5f + round * 0.125f + i * (i % 3 == 0 ? -0.25f : 0.5f);
        }
        return v;
    }

    /** Rank r's contribution to every block in a round: distinct values per rank, round, block and element. */
    private static long[] contributions(int rank, int ranks, int block, int round) {
        long[] v = new long[ranks * block];
        for (int i = 0; i < v.length; i++) {
            v[i] = (rank + 1L) * 1_000_003L * (i + 1) * (i % 3 == 0 ? -1 : 1) + (1L << 40) + round * 7919L;
        }
        return v;
    }

    /** Block {@code rank}'s sum over every rank's {@link #contributions}, computed directly. */
    private static long[] expectedBlock(int rank, int ranks, int block, int round) {
        long[] sum = new long[block];
        for (int q = 0; q < ranks; q++) {
            long[] c = contributions(q, ranks, block, round);
            for (int i = 0; i < block; i++) {
                sum[i] += c[rank * block + i];
            }
        }
        return sum;
    }
}
