package io.ringfold.io;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Buffered little-endian decoder over a file of known size that hashes every byte it hands out. Each
 * read first checks that the bytes exist before the reserved tail (the checksum), so a length field
 * can never make the reader allocate more than the file holds; a short file is reported as truncated
 * with the smallest size that would have satisfied the read.
 */
final class LittleEndianInput {

    private final Path file;
    private final FileChannel channel;
    private final long size;
    private final MessageDigest digest;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    private long position;
    private long limit;

    LittleEndianInput(Path file, FileChannel channel, long size, MessageDigest digest) {
        this.file = file;
        this.channel = channel;
        this.size = size;
        this.digest = digest;
        this.limit = size;
        buffer.limit(0);
    }

    long position() {
        return position;
    }

    long size() {
        return size;
    }

    /** Bytes left before the reserved tail; never negative. */
    long remaining() {
        return Math.max(0, limit - position);
    }

    /** Keeps the last {@code bytes} of the file out of reach of the hashed reads. */
    void reserveTail(int bytes) {
        limit = size - bytes;
    }

    long u32() throws IOException {
        require(4);
        fill(4);
        digest.update(buffer.array(), buffer.position(), 4);
        position += 4;
        return buffer.getInt() & 0xFFFF_FFFFL;
    }

    byte[] bytes(int n) throws IOException {
        require(n);
        byte[] out = new byte[n];
        copy(out, true);
        return out;
    }

    float[] floats(int n) throws IOException {
        require(4L * n);
        float[] out = new float[n];
        int off = 0;
        while (off < n) {
            fill(4);
            int k = Math.min(buffer.remaining() / 4, n - off);
            digest.update(buffer.array(), buffer.position(), 4 * k);
            buffer.asFloatBuffer().get(out, off, k);
            buffer.position(buffer.position() + 4 * k);
            position += 4L * k;
            off += k;
        }
        return out;
    }

    /** The digest of every byte handed out so far; call once, after the last hashed read. */
    byte[] digest() {
        return digest.digest();
    }

    /** Reads the reserved tail (everything left in the file) without hashing it. */
    byte[] tail() throws IOException {
        byte[] out = new byte[Math.toIntExact(size - position)];
        copy(out, false);
        return out;
    }

    ModelFileException truncated(long expectedAtLeast) {
        return new ModelFileException(file, "truncated at byte " + size + " (expected at least "
                + expectedAtLeast + " bytes)");
    }

    private void require(long n) throws ModelFileException {
        if (n > limit - position) {
            throw truncated(position + n + (size - limit));
        }
    }

    private void copy(byte[] out, boolean hash) throws IOException {
        int off = 0;
        while (off < out.length) {
            fill(1);
            int k = Math.min(buffer.remaining(), out.length - off);
            if (hash) {
                digest.update(buffer.array(), buffer.position(), k);
            }
            buffer.get(out, off, k);
            off += k;
            position += k;
        }
    }

    /** Ensures {@code n} bytes are buffered; the caller has already checked that the file holds them. */
    private void fill(int n) throws IOException {
        if (buffer.remaining() >= n) {
            return;
        }
        buffer.compact();
        while (buffer.position() < n) {
            if (channel.read(buffer) < 0) {
                // The size was checked up front, so this means the file shrank while we read it.
                throw new EOFException(file + ": file shrank to " + (position + buffer.position())
                        + " bytes while being read (expected " + size + ")");
            }
        }
        buffer.flip();
    }
}
