package io.ringfold.collective;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The memory mapped file that ranks of one host share: a header, then per rank a control block and a data
 * slot of two halves. Layout (native byte order, every offset 64-byte aligned):
 * <pre>
 *   0                         magic, version, ranks, half bytes
 *   4096 + r * 2048           rank r: unit counter (own cache line), state, pid, two call signatures,
 *                             failure message (length + UTF-8)
 *   data + (2r + h) * half    rank r's half h
 * </pre>
 * Only rank r writes its control block and slot. Its unit counter is stored with release semantics after
 * the data and signature of that unit, and read by the others with acquire semantics, so a rank that sees
 * counter >= u also sees everything written for unit u. Units alternate halves, so a rank can write unit
 * u+1 while a slow peer still reads unit u.
 */
final class SharedSegment {

    static final long MAGIC = 0x52464C44_53484D31L; // "RFLDSHM1"
    static final int VERSION = 1;
    private static final int HEADER = 4096;
    private static final int CONTROL = 2048;
    private static final int OFF_COUNTER = 0;
    private static final int OFF_STATE = 64;
    private static final int OFF_PID = 72;
    private static final int OFF_SIGNATURE = 128; // two signatures of 4 longs, by unit parity
    private static final int OFF_MESSAGE_LENGTH = 192;
    private static final int OFF_MESSAGE = 200;
    static final int MESSAGE_CAPACITY = CONTROL - OFF_MESSAGE;

    static final long STATE_OK = 0;
    static final long STATE_FAILED = 1;
    static final long STATE_CLOSED = 2;

    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    final int ranks;
    final int halfBytes;
    private final long dataBase;
    private final MappedByteBuffer map;
    final FloatBuffer[] floats;
    final DoubleBuffer[] doubles;
    final LongBuffer[] longs;
    final ByteBuffer[] bytes;

    private SharedSegment(MappedByteBuffer map, int ranks, int halfBytes) {
        this.map = map;
        this.ranks = ranks;
        this.halfBytes = halfBytes;
        this.dataBase = dataBase(ranks);
        floats = new FloatBuffer[2 * ranks];
        doubles = new DoubleBuffer[2 * ranks];
        longs = new LongBuffer[2 * ranks];
        bytes = new ByteBuffer[2 * ranks];
        for (int i = 0; i < 2 * ranks; i++) {
            ByteBuffer half = map.slice((int) (dataBase + (long) i * halfBytes), halfBytes).order(ByteOrder.nativeOrder());
            floats[i] = half.asFloatBuffer();
            doubles[i] = half.asDoubleBuffer();
            longs[i] = half.asLongBuffer();
            bytes[i] = half;
        }
    }

    private static long dataBase(int ranks) {
        long end = HEADER + (long) ranks * CONTROL;
        return (end + 4095) / 4096 * 4096;
    }

    static long bytes(int ranks, int halfBytes) {
        return dataBase(ranks) + 2L * ranks * halfBytes;
    }

    /** Maps {@code file}, new and empty, as a new segment; the caller deletes the file once all have mapped it. */
    static SharedSegment create(Path file, int ranks, int halfBytes) throws IOException {
        long size = bytes(ranks, halfBytes);
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("shared segment: " + size + " bytes for " + ranks + " ranks of "
                    + halfBytes + "-byte halves (expected: < 2 GiB)");
        }
        // Zeros written, not a sparse length: on a full /dev/shm (64 MiB in a default Docker container) the
        // write fails here with an IOException, where touching a sparse mapped page would kill the JVM (SIGBUS).
        try (FileChannel ch = FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long at = 0; at < size; at += zeros.capacity()) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), size - at));
                while (zeros.hasRemaining()) {
                    ch.write(zeros, at + zeros.position());
                }
            }
        }
        SharedSegment s = map(file, size, ranks, halfBytes);
        s.map.putLong(8, VERSION);
        s.map.putLong(16, ranks);
        s.map.putLong(24, halfBytes);
        LONGS.setRelease(s.map, 0, MAGIC);
        return s;
    }

    /** Maps a segment that rank 0 created, checking its header. */
    static SharedSegment open(Path file, int ranks, int halfBytes) throws IOException {
        SharedSegment s = map(file, bytes(ranks, halfBytes), ranks, halfBytes);
        long magic = (long) LONGS.getAcquire(s.map, 0);
        if (magic != MAGIC || s.map.getLong(8) != VERSION || s.map.getLong(16) != ranks || s.map.getLong(24) != halfBytes) {
            throw new IOException(file + ": magic 0x" + Long.toHexString(magic) + ", version " + s.map.getLong(8) + ", "
                    + s.map.getLong(16) + " ranks, halves of " + s.map.getLong(24) + " bytes (expected: 0x"
                    + Long.toHexString(MAGIC) + ", " + VERSION + ", " + ranks + ", " + halfBytes + ")");
        }
        return s;
    }

    private static SharedSegment map(Path file, long size, int ranks, int halfBytes) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"); FileChannel ch = f.getChannel()) {
            if (ch.size() < size) {
                f.setLength(size);
            }
            // The mapping outlives the channel and the file's name: deleting the file leaves it valid.
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, size);
            m.order(ByteOrder.nativeOrder());
            return new SharedSegment(m, ranks, halfBytes);
        }
    }

    private static int control(int rank) {
        return HEADER + rank * CONTROL;
    }

    /** The views of rank {@code rank}'s half {@code half}. */
    static int slot(int rank, long unit) {
        return 2 * rank + (int) (unit & 1);
    }

    long counter(int rank) {
        return (long) LONGS.getAcquire(map, control(rank) + OFF_COUNTER);
    }

    /** Publishes unit {@code unit} of this rank: everything written before becomes visible to those who see it. */
    void publish(int rank, long unit) {
        LONGS.setRelease(map, control(rank) + OFF_COUNTER, unit);
    }

    long state(int rank) {
        return (long) LONGS.getAcquire(map, control(rank) + OFF_STATE);
    }

    long pid(int rank) {
        return (long) LONGS.getAcquire(map, control(rank) + OFF_PID);
    }

    void setPid(int rank, long pid) {
        LONGS.setRelease(map, control(rank) + OFF_PID, pid);
    }

    /** The signature of the call whose first unit is {@code unit}: read by the others after they see the unit. */
    void setSignature(int rank, long unit, long opcodeTypeOpRoot, long count, long seq) {
        int at = control(rank) + OFF_SIGNATURE + (int) (unit & 1) * 32;
        map.putLong(at, opcodeTypeOpRoot);
        map.putLong(at + 8, count);
        map.putLong(at + 16, seq);
    }

    long signatureWord(int rank, long unit, int word) {
        return map.getLong(control(rank) + OFF_SIGNATURE + (int) (unit & 1) * 32 + 8 * word);
    }

    /** Records this rank's end (failed or closed) with its message; the state is stored last, with release. */
    void setState(int rank, long state, String message) {
        byte[] b = message.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(b.length, MESSAGE_CAPACITY);
        int at = control(rank);
        map.put(at + OFF_MESSAGE, b, 0, len);
        map.putInt(at + OFF_MESSAGE_LENGTH, len);
        LONGS.setRelease(map, at + OFF_STATE, state);
    }

    String message(int rank) {
        int at = control(rank);
        int len = Math.max(0, Math.min(MESSAGE_CAPACITY, map.getInt(at + OFF_MESSAGE_LENGTH)));
        byte[] b = new byte[len];
        map.get(at + OFF_MESSAGE, b, 0, len);
        return new String(b, StandardCharsets.UTF_8);
    }
}
