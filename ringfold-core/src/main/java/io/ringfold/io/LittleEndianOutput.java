package io.ringfold.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.WritableByteChannel;
import java.security.MessageDigest;

/**
 * Buffered little-endian encoder that feeds every byte to a digest and, when it has one, to a
 * channel. With no channel it only hashes, which is how {@link ModelFile#parameterDigest} reuses the
 * exact encoding of the file's tensor section.
 */
final class LittleEndianOutput {

    private final WritableByteChannel channel;
    private final MessageDigest digest;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    /** {@code channel} may be null: hash only. */
    LittleEndianOutput(WritableByteChannel channel, MessageDigest digest) {
        this.channel = channel;
        this.digest = digest;
    }

    void u32(long value) throws IOException {
        if (value < 0 || value > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("u32: " + value + " (expected: 0..4294967295)");
        }
        room(4);
        buffer.putInt((int) value);
    }

    void bytes(byte[] bytes) throws IOException {
        int off = 0;
        while (off < bytes.length) {
            room(1);
            int n = Math.min(buffer.remaining(), bytes.length - off);
            buffer.put(bytes, off, n);
            off += n;
        }
    }

    /** Float bits as they are (raw, so NaN payloads survive), four little-endian bytes each. */
    void floats(float[] values) throws IOException {
        floats(values, 0, values.length);
    }

    /** {@code values[from, to)}. */
    void floats(float[] values, int from, int to) throws IOException {
        int off = from;
        while (off < to) {
            room(4);
            int n = Math.min(buffer.remaining() / 4, to - off);
            buffer.asFloatBuffer().put(values, off, n);
            buffer.position(buffer.position() + 4 * n);
            off += n;
        }
    }

    /** Flushes and returns the digest of everything written; the digest bytes themselves are not written. */
    byte[] finishDigest() throws IOException {
        flush();
        return digest.digest();
    }

    /** Flushes, then appends the digest of everything written so far, unhashed, to the channel. */
    void finishWithChecksum() throws IOException {
        byte[] sum = finishDigest();
        writeFully(ByteBuffer.wrap(sum));
    }

    private void room(int bytes) throws IOException {
        if (buffer.remaining() < bytes) {
            flush();
        }
    }

    private void flush() throws IOException {
        buffer.flip();
        digest.update(buffer.array(), 0, buffer.limit());
        writeFully(buffer);
        buffer.clear();
    }

    private void writeFully(ByteBuffer bytes) throws IOException {
        if (channel == null) {
            return;
        }
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }
}
