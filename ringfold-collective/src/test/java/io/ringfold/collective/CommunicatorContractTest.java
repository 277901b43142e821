package io.ringfold.collective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link Communicator} contract, run against every implementation. Expected values are computed
 * independently in long arithmetic from small integers (so float sums are exact whatever the order of
 * addition), or compared bit for bit across ranks.
 */
abstract class CommunicatorContractTest {

    static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** Sizes in elements: empty, one, fewer than ranks, non-divisible, and above any chunk size. */
    static final int[] SIZES = {0, 1, 3, 7, 1000, 1001, 65_537, 300_007};

    private final List<Communicator> opened = new ArrayList<>();

    /** {@code size} communicators of one new group, index = rank. */
    protected abstract List<Communicator> create(int size, Duration timeout);

    /** Whether the implementation names peers by address in its errors (TCP does, threads do not). */
    protected boolean namesAddresses() {
        return false;
    }

    final List<Communicator> group(int size, Duration timeout) {
        List<Communicator> g = create(size, timeout);
        opened.addAll(g);
        for (int r = 0; r < size; r++) {
            assertThat(g.get(r).rank()).isEqualTo(r);
            assertThat(g.get(r).size()).isEqualTo(size);
            assertThat(g.get(r).timeout()).isEqualTo(timeout);
        }
        return g;
    }

    @AfterEach
    void closeAll() {
        for (Communicator c : opened) {
            c.close();
        }
        opened.clear();
    }

    static int value(int rank, int i) {
        return (int) ((i * 31L + rank * 17L) % 29) - 14;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void allReduceFloatSumMeanMaxMatchExactReference(int n) {
        List<Communicator> g = group(n, TIMEOUT);
        Ranks.all(g, c -> {
            for (int len : SIZES) {
                for (ReduceOp op : ReduceOp.values()) {
                    float[] buf = new float[len + 3];
                    Arrays.fill(buf, 99f);
                    for (int i = 0; i < len; i++) {
                        buf[i + 2] = value(c.rank(), i);
                    }
                    c.allReduce(buf, 2, len, op);
                    assertThat(buf[0]).isEqualTo(99f);
                    assertThat(buf[len + 2]).isEqualTo(99f);
                    for (int i = 0; i < len; i++) {
                        float want = (float) expected(n, i, op);
                        if (buf[i + 2] != want) {
                            throw new AssertionError("float32 " + op + " x " + len + " on " + n + " ranks, element "
                                    + i + ": " + buf[i + 2] + " (expected: " + want + ")");
                        }
                    }
                }
            }
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void allReduceDoubleSumMeanMax(int n) {
        List<Communicator> g = group(n, TIMEOUT);
        Ranks.all(g, c -> {
            for (int len : new int[] {0, 1, 7, 1001, 100_003}) {
                for (ReduceOp op : ReduceOp.values()) {
                    double[] buf = new double[len];
                    for (int i = 0; i < len; i++) {
                        buf[i] = value(c.rank(), i);
                    }
                    c.allReduce(buf, 0, len, op);
                    for (int i = 0; i < len; i++) {
                        if (buf[i] != expected(n, i, op)) {
                            throw new AssertionError("float64 " + op + " x " + len + " element " + i + ": " + buf[i]
                                    + " (expected: " + expected(n, i, op) + ")");
                        }
                    }
                }
            }
            return null;
        });
    }

    private static double expected(int n, int i, ReduceOp op) {
        long sum = 0;
        long max = Long.MIN_VALUE;
        for (int r = 0; r < n; r++) {
            sum += value(r, i);
            max = Math.max(max, value(r, i));
        }
        return switch (op) {
            case SUM -> sum;
            case MEAN -> (double) sum / n;
            case MAX -> max;
        };
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void allReduceLongIsExactAndRefusesMean(int n) {
        List<Communicator> g = group(n, TIMEOUT);
        Ranks.all(g, c -> {
            for (int len : new int[] {0, 1, 7, 1001, 70_001}) {
                long[] buf = new long[len];
                for (int i = 0; i < len; i++) {
                    // Large values whose float64 sum would round: the int64 sum must not.
                    buf[i] = (1L << 60) / 8 * (c.rank() + 1) + i * 1_000_003L + c.rank();
                }
                long[] max = buf.clone();
                c.allReduce(buf, 0, len, ReduceOp.SUM);
                c.allReduce(max, 0, len, ReduceOp.MAX);
                for (int i = 0; i < len; i++) {
                    long want = 0;
                    for (int r = 0; r < n; r++) {
                        want += (1L << 60) / 8 * (r + 1) + i * 1_000_003L + r;
                    }
                    long wantMax = (1L << 60) / 8 * n + i * 1_000_003L + (n - 1);
                    assertThat(buf[i]).as("int64 sum element %d", i).isEqualTo(want);
                    assertThat(max[i]).as("int64 max element %d", i).isEqualTo(wantMax);
                }
            }
            assertThatThrownBy(() -> c.allReduce(new long[1], 0, 1, ReduceOp.MEAN))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mean");
            c.barrier(); // refused arguments do not break the communicator
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void floatSumOfNonIntegersIsBitIdenticalOnEveryRank(int n) {
        List<Communicator> g = group(n, TIMEOUT);
        List<float[]> results = Ranks.all(g, c -> {
            java.util.SplittableRandom random = new java.util.SplittableRandom(42 + c.rank());
            float[] buf = new float[200_003];
            for (int i = 0; i < buf.length; i++) {
                buf[i] = (float) random.nextGaussian();
            }
            c.allReduce(buf, 0, buf.length, ReduceOp.SUM);
            float[] small = Arrays.copyOf(buf, 5);
            c.allReduce(small, 0, small.length, ReduceOp.MEAN);
            float[] both = Arrays.copyOf(buf, buf.length + 5);
            System.arraycopy(small, 0, both, buf.length, 5);
            return both;
        });
        for (int r = 1; r < n; r++) {
            assertThat(results.get(r)).as("rank %d vs rank 0", r).isEqualTo(results.get(0));
        }
        // And close to the double-precision reference (seeds 42..42+n-1, as above).
        double[] ref = new double[200_003];
        for (int r = 0; r < n; r++) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(42 + r);
            for (int i = 0; i < ref.length; i++) {
                ref[i] += (float) random.nextGaussian();
            }
        }
        for (int i = 0; i < ref.length; i += 997) {
            assertThat((double) results.get(0)[i]).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-5));
        }
    }

    @Test
    void sixteenMegabytesOnTwoAndFourRanks() {
        for (int n : new int[] {2, 4}) {
            List<Communicator> g = group(n, TIMEOUT);
            int len = 4 * 1024 * 1024 + 3;
            Ranks.all(g, c -> {
                float[] buf = new float[len];
                for (int i = 0; i < len; i++) {
                    buf[i] = value(c.rank(), i);
                }
                c.allReduce(buf, 0, len, ReduceOp.SUM);
                for (int i = 0; i < len; i += 1 + i % 101) {
                    if (buf[i] != (float) expected(n, i, ReduceOp.SUM)) {
                        throw new AssertionError("element " + i + ": " + buf[i]);
                    }
                }
                return null;
            });
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void broadcastFromEveryRoot(int n) {
        List<Communicator> g = group(n, TIMEOUT);
        Ranks.all(g, c -> {
            for (int root = 0; root < n; root++) {
                for (int len : new int[] {0, 1, 1001, 300_001}) {
                    float[] f = new float[len + 1];
                    long[] l = new long[len + 1];
                    byte[] b = new byte[len + 1];
                    for (int i = 0; i < len; i++) {
                        f[i + 1] = c.rank() == root ? value(root, i) : -1;
                        l[i + 1] = c.rank() == root ? Long.MAX_VALUE - i : -1;
                        b[i + 1] = c.rank() == root ? (byte) (i * 7) : -1;
                    }
                    c.broadcast(f, 1, len, root);
                    c.broadcast(l, 1, len, root);
                    c.broadcast(b, 1, len, root);
                    for (int i = 0; i < len; i++) {
                        if (f[i + 1] != value(root, i) || l[i + 1] != Long.MAX_VALUE - i || b[i + 1] != (byte) (i * 7)) {
                            throw new AssertionError("broadcast from " + root + " x " + len + ": element " + i);
                        }
                    }
                }
            }
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void allGatherWithDifferentLengthsAndBarrier(int n) {
        List<Communicator> g = group(n, TIMEOUT);
        List<byte[][]> results = Ranks.all(g, c -> {
            for (int i = 0; i < 5; i++) {
                c.barrier();
            }
            int len = c.rank() == 1 ? 0 : c.rank() * 100_003 + 5;
            byte[] mine = new byte[len];
            for (int i = 0; i < len; i++) {
                mine[i] = (byte) (i + c.rank());
            }
            c.allGather("hello from rank ".concat(Integer.toString(c.rank())).getBytes(StandardCharsets.UTF_8));
            return c.allGather(mine);
        });
        for (byte[][] all : results) {
            assertThat(all.length).isEqualTo(n);
            for (int r = 0; r < n; r++) {
                int len = r == 1 ? 0 : r * 100_003 + 5;
                assertThat(all[r]).hasSize(len);
                for (int i = 0; i < len; i++) {
                    if (all[r][i] != (byte) (i + r)) {
                        throw new AssertionError("allgather part " + r + " byte " + i);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void sendReceiveAroundTheRing(int n) {
        List<Communicator> g = group(n, TIMEOUT);
        Ranks.all(g, c -> {
            int right = (c.rank() + 1) % n;
            int left = (c.rank() + n - 1) % n;
            for (int len : new int[] {0, 1, 1000}) {
                float[] out = new float[len];
                for (int i = 0; i < len; i++) {
                    out[i] = value(c.rank(), i);
                }
                float[] in = new float[len];
                // Even ranks send first, odd ones receive first: works whatever the transport buffers.
                if (c.rank() % 2 == 0) {
                    c.send(right, out, 0, len);
                    c.receive(left, in, 0, len);
                } else {
                    c.receive(left, in, 0, len);
                    c.send(right, out, 0, len);
                }
                for (int i = 0; i < len; i++) {
                    assertThat(in[i]).isEqualTo((float) value(left, i));
                }
            }
            c.barrier();
            return null;
        });
    }

    /** 8 MB each way: far more than any socket buffer, so a send that waited for its receiver would deadlock. */
    @Test
    void sendReceiveOfEightMegabytesEachWayAtOnceCompletes() {
        List<Communicator> g = group(2, TIMEOUT);
        int len = 2 * 1024 * 1024 + 1;
        Ranks.all(g, c -> {
            int peer = 1 - c.rank();
            float[] out = new float[len];
            for (int i = 0; i < len; i++) {
                out[i] = value(c.rank(), i);
            }
            float[] in = new float[len + 2];
            long sentBefore = c.bytesSent();
            c.sendReceive(peer, out, 0, len, peer, in, 1, len);
            assertThat(c.bytesSent() - sentBefore).isGreaterThanOrEqualTo(4L * len);
            assertThat(in[0]).isZero();
            assertThat(in[len + 1]).isZero();
            for (int i = 0; i < len; i++) {
                if (in[i + 1] != value(peer, i)) {
                    throw new AssertionError("rank " + c.rank() + " element " + i + ": " + in[i + 1] + " (expected: "
                            + value(peer, i) + ")");
                }
            }
            // The same messages pair with a plain receive and send on the other side.
            float[] back = new float[len];
            if (c.rank() == 0) {
                c.sendReceive(peer, out, 0, len, peer, back, 0, len);
            } else {
                c.receive(peer, back, 0, len);
                c.send(peer, out, 0, len);
            }
            assertThat(back).isEqualTo(Arrays.copyOfRange(in, 1, len + 1));
            c.barrier();
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void sendReceiveAroundTheRingWithDifferentLengths(int n) {
        List<Communicator> g = group(n, TIMEOUT);
        Ranks.all(g, c -> {
            int right = (c.rank() + 1) % n;
            int left = (c.rank() + n - 1) % n;
            for (int base : new int[] {0, 1, 1_000_003}) {
                // Every rank sends to its right and receives from its left at once, each message of its own length.
                int outLength = base == 0 ? 0 : base + c.rank();
                int inLength = base == 0 ? 0 : base + left;
                float[] out = new float[outLength + 1];
                for (int i = 0; i < outLength; i++) {
                    out[i + 1] = bits(i + c.rank());
                }
                float[] in = new float[inLength];
                c.sendReceive(right, out, 1, outLength, left, in, 0, inLength);
                for (int i = 0; i < inLength; i++) {
                    if (Float.floatToRawIntBits(in[i]) != Float.floatToRawIntBits(bits(i + left))) {
                        throw new AssertionError("rank " + c.rank() + " from rank " + left + " element " + i + ": " + in[i]);
                    }
                }
            }
            c.barrier();
            return null;
        });
    }

    @Test
    void sendReceiveOfAnotherLengthFailsNamingBothLengths() {
        List<Communicator> g = group(2, TIMEOUT);
        List<Ranks.Outcome<Object>> out = Ranks.run(g, c -> {
            int peer = 1 - c.rank();
            int outLength = c.rank() == 1 ? 11 : 10;
            c.sendReceive(peer, new float[outLength], 0, outLength, peer, new float[10], 0, 10);
            c.barrier();
            return null;
        });
        assertThat(out.get(0).error()).isInstanceOf(CollectiveException.class).hasMessageContaining("sendreceive")
                .hasMessageContaining("rank 1").hasMessageContaining("float32 x 11")
                .hasMessageContaining("(expected: float32 x 10");
        // Rank 1's own exchange was well-formed; it learns of the failure at its next call.
        assertThat(out.get(1).error()).isInstanceOf(CollectiveException.class);
    }

    @Test
    void sendReceiveNamesTheRankThatNeverSendsWithinTheDeadline() {
        Duration timeout = Duration.ofMillis(1500);
        List<Communicator> g = group(3, timeout);
        List<Ranks.Outcome<Object>> out = Ranks.run(g, c -> {
            switch (c.rank()) {
                case 0 -> c.sendReceive(1, new float[100], 0, 100, 2, new float[100], 0, 100);
                case 1 -> c.receive(0, new float[100], 0, 100);
                default -> Thread.sleep(timeout.toMillis() * 3);
            }
            return null;
        });
        assertThat(out.get(0).error()).isInstanceOf(CollectiveException.class).hasMessageContaining("sendreceive")
                .hasMessageContaining("timed out").hasMessageContaining("rank 2");
        assertThat(out.get(0).nanos()).isLessThan(timeout.toNanos() + 10_000_000_000L);
        assertThat(out.get(1).error()).isNull();
    }

    /** The seed of the random tests; logged by each, so that a failure can be replayed. */
    static final long SEED = Long.getLong("ringfold.collective.seed", 20261207L);

    /**
     * Random block lengths (empty, a few, and above a 64 KiB chunk), different per pair and per round, both
     * element types; every block's bits depend on round, sender, receiver and index, so a block delivered
     * to the wrong rank or in the wrong place shows.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void allToAllDeliversEveryBlockBitForBit(int n) {
        System.out.println(getClass().getSimpleName() + ".allToAllDeliversEveryBlockBitForBit(" + n + "): seed " + SEED
                + " (replay with -Dringfold.collective.seed=" + SEED + ")");
        int rounds = 4;
        int[][][] lengths = new int[rounds][n][n]; // [round][from][to]
        java.util.SplittableRandom random = new java.util.SplittableRandom(SEED + n);
        for (int[][] round : lengths) {
            for (int[] from : round) {
                for (int to = 0; to < n; to++) {
                    from[to] = switch (random.nextInt(4)) {
                        case 0 -> 0;
                        case 1 -> random.nextInt(1, 8);
                        case 2 -> random.nextInt(8, 5_000);
                        default -> random.nextInt(20_000, 150_000);
                    };
                }
            }
        }
        List<Communicator> g = group(n, TIMEOUT);
        Ranks.all(g, c -> {
            int me = c.rank();
            for (int k = 0; k < rounds; k++) {
                float[][] floatsOut = new float[n][];
                long[][] longsOut = new long[n][];
                long toOthers = 0;
                for (int r = 0; r < n; r++) {
                    floatsOut[r] = floatBlock(k, me, r, lengths[k][me][r]);
                    longsOut[r] = longBlock(k, me, r, lengths[k][me][r]);
                    toOthers += r == me ? 0 : lengths[k][me][r];
                }
                long bytes0 = c.bytesSent();
                long nanos0 = c.nanosInCollectives();
                float[][] floatsIn = c.allToAll(floatsOut);
                long bytes1 = c.bytesSent();
                long[][] longsIn = c.allToAll(longsOut);
                assertThat(bytes1 - bytes0).as("bytes of the float32 blocks").isGreaterThanOrEqualTo(4 * toOthers);
                assertThat(c.bytesSent() - bytes1).as("bytes of the int64 blocks").isGreaterThanOrEqualTo(8 * toOthers);
                assertThat(c.nanosInCollectives()).isGreaterThan(nanos0);
                assertThat(floatsIn.length).isEqualTo(n);
                assertThat(longsIn.length).isEqualTo(n);
                for (int q = 0; q < n; q++) {
                    float[] want = floatBlock(k, q, me, lengths[k][q][me]);
                    assertThat(floatsIn[q]).hasSize(want.length);
                    for (int i = 0; i < want.length; i++) {
                        if (Float.floatToRawIntBits(floatsIn[q][i]) != Float.floatToRawIntBits(want[i])) {
                            throw new AssertionError("round " + k + ", float32 block from rank " + q + " on rank " + me
                                    + ", element " + i + ": 0x" + Integer.toHexString(Float.floatToRawIntBits(floatsIn[q][i]))
                                    + " (expected: 0x" + Integer.toHexString(Float.floatToRawIntBits(want[i])) + ")");
                        }
                    }
                    assertThat(longsIn[q]).as("round %d, int64 block from rank %d on rank %d", k, q, me)
                            .isEqualTo(longBlock(k, q, me, lengths[k][q][me]));
                }
                assertThat(floatsIn[me]).isNotSameAs(floatsOut[me]);
            }
            return null;
        });
    }

    /** -0.0, NaNs with payloads (positive and negative), infinities and arbitrary bit patterns. */
    private static float[] floatBlock(int round, int from, int to, int length) {
        float[] b = new float[length];
        for (int i = 0; i < length; i++) {
            int mix = (int) mixed(round, from, to, i);
            b[i] = switch (i % 6) {
                case 0 -> -0f;
                case 1 -> Float.intBitsToFloat(0x7FC00000 | (mix & 0x3FFFFF));
                case 2 -> Float.intBitsToFloat(0xFFC00000 | (mix & 0x3FFFFF));
                case 3 -> i % 12 == 3 ? Float.NEGATIVE_INFINITY : Float.MIN_VALUE;
                default -> Float.intBitsToFloat(mix);
            };
        }
        return b;
    }

    private static long[] longBlock(int round, int from, int to, int length) {
        long[] b = new long[length];
        for (int i = 0; i < length; i++) {
            b[i] = i % 5 == 0 ? Long.MIN_VALUE + i : mixed(round, from, to, i);
        }
        return b;
    }

    /** A hash of the four (SplitMix64's finaliser). */
    private static long mixed(int round, int from, int to, int i) {
        long z = ((long) round << 48) ^ ((long) from << 40) ^ ((long) to << 32) ^ i;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Test
    void allToAllOfAnotherElementTypeIsReportedOnEveryRank() {
        List<Communicator> g = group(2, TIMEOUT);
        List<Ranks.Outcome<Object>> out = Ranks.run(g, c -> {
            if (c.rank() == 0) {
                c.allToAll(new float[][] {new float[3], new float[3]});
            } else {
                c.allToAll(new long[][] {new long[3], new long[3]});
            }
            return null;
        });
        for (Ranks.Outcome<Object> o : out) {
            assertThat(o.error()).isInstanceOf(CollectiveException.class).hasMessageContaining("alltoall")
                    .hasMessageContaining("float32").hasMessageContaining("int64");
        }
    }

    @Test
    void allToAllNamesTheRankThatNeverCallsWithinTheDeadline() {
        Duration timeout = Duration.ofMillis(1500);
        List<Communicator> g = group(3, timeout);
        List<Ranks.Outcome<Object>> out = Ranks.run(g, c -> {
            if (c.rank() == 2) {
                Thread.sleep(timeout.toMillis() * 3);
                return null;
            }
            c.allToAll(new float[][] {new float[10], new float[20], new float[30]});
            return null;
        });
        for (int r = 0; r < 2; r++) {
            assertThat(out.get(r).error()).isInstanceOf(CollectiveException.class).hasMessageContaining("alltoall")
                    .hasMessageContaining("timed out").hasMessageContaining("waiting for rank 2");
            assertThat(out.get(r).nanos()).isLessThan(timeout.toNanos() + 10_000_000_000L);
        }
    }

    /** Blocks: empty, one, fewer than a chunk, and more than one 256 KiB chunk of floats and of longs. */
    static final int[] BLOCKS = {0, 1, 3, 1001, 70_001};

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void reduceScatterLeavesEachRankItsReducedBlock(int n) {
        List<Communicator> g = group(n, TIMEOUT);
        Ranks.all(g, c -> {
            int r = c.rank();
            for (int block : BLOCKS) {
                for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX}) {
                    float[] f = new float[n * block + 3];
                    long[] l = new long[n * block + 3];
                    Arrays.fill(f, 99f);
                    Arrays.fill(l, 99L);
                    for (int i = 0; i < n * block; i++) {
                        f[i + 2] = value(r, i);
                        l[i + 2] = (1L << 60) / 8 * (r + 1) + i * 1_000_003L + r;
                    }
                    c.reduceScatter(f, 2, block, op);
                    c.reduceScatter(l, 2, block, op);
                    assertThat(f[0]).isEqualTo(99f);
                    assertThat(l[n * block + 2]).isEqualTo(99L);
                    for (int i = r * block; i < (r + 1) * block; i++) {
                        float want = (float) expected(n, i, op);
                        long wantLong = 0;
                        for (int q = 0; q < n; q++) {
                            long v = (1L << 60) / 8 * (q + 1) + i * 1_000_003L + q;
                            wantLong = op == ReduceOp.MAX ? (q == 0 ? v : Math.max(wantLong, v)) : wantLong + v;
                        }
                        if (f[i + 2] != want || l[i + 2] != wantLong) {
                            throw new AssertionError(op + " block " + block + " on " + n + " ranks, rank " + r
                                    + " element " + i + ": " + f[i + 2] + ", " + l[i + 2] + " (expected: " + want
                                    + ", " + wantLong + ")");
                        }
                    }
                }
            }
            assertThatThrownBy(() -> c.reduceScatter(new long[n], 0, 1, ReduceOp.MEAN))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mean");
            assertThatThrownBy(() -> c.reduceScatter(new float[n], 1, 1, ReduceOp.SUM))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block 1");
            c.barrier(); // refused arguments do not break the communicator
            return null;
        });
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4})
    void allGatherInBlocksCopiesEveryOwnersBitsToEveryRank(int n) {
        List<Communicator> g = group(n, TIMEOUT);
        Ranks.all(g, c -> {
            int r = c.rank();
            for (int block : BLOCKS) {
                float[] f = new float[n * block + 2];
                long[] l = new long[n * block + 2];
                Arrays.fill(f, Float.NaN);
                Arrays.fill(l, -1L);
                f[0] = 7f;
                for (int i = r * block; i < (r + 1) * block; i++) {
                    f[i + 1] = bits(i);
                    l[i + 1] = Long.MIN_VALUE + i * 0x9E3779B97F4A7C15L;
                }
                c.allGather(f, 1, block);
                c.allGather(l, 1, block);
                assertThat(f[0]).isEqualTo(7f);
                assertThat(Float.isNaN(f[n * block + 1])).isTrue();
                for (int i = 0; i < n * block; i++) {
                    if (Float.floatToRawIntBits(f[i + 1]) != Float.floatToRawIntBits(bits(i))
                            || l[i + 1] != Long.MIN_VALUE + i * 0x9E3779B97F4A7C15L) {
                        throw new AssertionError("block " + block + " on " + n + " ranks, rank " + r + " element "
                                + i + ": " + f[i + 1] + ", " + l[i + 1]);
                    }
                }
            }
            return null;
        });
    }

    /** Distinct bit patterns, negative zero and subnormals included. */
    private static float bits(int i) {
        return switch (i % 4) {
            case 0 -> -0f;
            case 1 -> Float.intBitsToFloat(i); // subnormal
            case 2 -> -i / 3f;
            default -> Float.intBitsToFloat(0x3F800000 + i);
        };
    }

    @Test
    void mismatchedBlockIsReportedOnEveryRank() {
        List<Communicator> g = group(2, TIMEOUT);
        List<Ranks.Outcome<Object>> out = Ranks.run(g, c -> {
            int block = c.rank() == 1 ? 11 : 10;
            c.reduceScatter(new long[2 * block], 0, block, ReduceOp.SUM);
            return null;
        });
        for (Ranks.Outcome<Object> o : out) {
            assertThat(o.error()).isInstanceOf(CollectiveException.class).hasMessageContaining("reducescatter");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void mismatchedLengthIsReportedOnEveryRankWithBothSides(int n) {
        List<Communicator> g = group(n, TIMEOUT);
        List<Ranks.Outcome<Object>> out = Ranks.run(g, c -> {
            int len = c.rank() == n - 1 ? 11 : 10;
            c.allReduce(new float[len], 0, len, ReduceOp.SUM);
            return null;
        });
        for (Ranks.Outcome<Object> o : out) {
            assertThat(o.error()).isInstanceOf(CollectiveException.class)
                    .hasMessageContaining("allreduce").hasMessageContaining("float32 x 10")
                    .hasMessageContaining("float32 x 11");
        }
        // Broken: a later call fails at once with the first cause.
        assertThatThrownBy(g.get(0)::barrier).isInstanceOf(CollectiveException.class)
                .hasMessageContaining("float32 x 11");
    }

    @Test
    void mismatchedOpOrTypeIsReported() {
        List<Communicator> g = group(2, TIMEOUT);
        List<Ranks.Outcome<Object>> out = Ranks.run(g, c -> {
            if (c.rank() == 0) {
                c.allReduce(new float[4], 0, 4, ReduceOp.SUM);
            } else {
                c.allReduce(new float[4], 0, 4, ReduceOp.MAX);
            }
            return null;
        });
        for (Ranks.Outcome<Object> o : out) {
            assertThat(o.error()).isInstanceOf(CollectiveException.class).hasMessageContaining("sum")
                    .hasMessageContaining("max");
        }
        List<Communicator> h = group(2, TIMEOUT);
        List<Ranks.Outcome<Object>> out2 = Ranks.run(h, c -> {
            if (c.rank() == 0) {
                c.allReduce(new float[4], 0, 4, ReduceOp.SUM);
            } else {
                c.allReduce(new double[4], 0, 4, ReduceOp.SUM);
            }
            return null;
        });
        for (Ranks.Outcome<Object> o : out2) {
            assertThat(o.error()).isInstanceOf(CollectiveException.class).hasMessageContaining("float32")
                    .hasMessageContaining("float64");
        }
    }

    @Test
    void aRankThatNeverCallsIsNamedWithinTheDeadline() {
        Duration timeout = Duration.ofMillis(1500);
        List<Communicator> g = group(3, timeout);
        List<Ranks.Outcome<Object>> out = Ranks.run(g, c -> {
            if (c.rank() == 2) {
                Thread.sleep(timeout.toMillis() * 3);
                return null;
            }
            c.allReduce(new float[1000], 0, 1000, ReduceOp.SUM);
            return null;
        });
        for (int r = 0; r < 2; r++) {
            Ranks.Outcome<Object> o = out.get(r);
            assertThat(o.error()).isInstanceOf(CollectiveException.class).hasMessageContaining("allreduce")
                    .hasMessageContaining("#1").hasMessageContaining("rank 2");
            // Generous margin: the machine is shared; the point is "bounded", not "fast".
            assertThat(o.nanos()).isLessThan(timeout.toNanos() + 10_000_000_000L);
        }
        assertThatThrownBy(g.get(0)::barrier).isInstanceOf(CollectiveException.class).hasMessageContaining("rank 2");
    }

    @Test
    void closeWhileOthersWaitFailsThemNamingTheClosedRank() {
        List<Communicator> g = group(3, Duration.ofSeconds(60));
        List<Ranks.Outcome<Object>> out = Ranks.run(g, c -> {
            if (c.rank() == 1) {
                Thread.sleep(300);
                c.close();
                c.close(); // idempotent
                return null;
            }
            c.barrier();
            return null;
        });
        for (int r : new int[] {0, 2}) {
            assertThat(out.get(r).error()).isInstanceOf(CollectiveException.class).hasMessageContaining("rank 1");
            assertThat(out.get(r).nanos()).isLessThan(30_000_000_000L);
        }
    }

    @Test
    void badArgumentsAreRefusedWithoutBreakingTheGroup() {
        List<Communicator> g = group(2, TIMEOUT);
        Ranks.all(g, c -> {
            assertThatThrownBy(() -> c.allReduce(new float[3], 2, 2, ReduceOp.SUM))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 2");
            assertThatThrownBy(() -> c.broadcast(new float[3], 0, 3, 2))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("root 2");
            assertThatThrownBy(() -> c.send(c.rank(), new float[1], 0, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("peer");
            assertThatThrownBy(() -> c.sendReceive(1 - c.rank(), new float[1], 0, 1, c.rank(), new float[1], 0, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sendreceive: peer " + c.rank());
            assertThatThrownBy(() -> c.sendReceive(1 - c.rank(), new float[1], 0, 2, 1 - c.rank(), new float[1], 0, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length 2");
            assertThatThrownBy(() -> c.allToAll(new float[3][]))
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("alltoall: 3 blocks (expected: 2, one per rank)");
            assertThatThrownBy(() -> c.allToAll(new long[][] {new long[1], null}))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block 1 is null");
            c.barrier();
            return null;
        });
        assertThat(g.get(0).bytesSent()).isGreaterThanOrEqualTo(0);
        assertThat(g.get(0).describe()).contains("rank 0/2");
    }
}
