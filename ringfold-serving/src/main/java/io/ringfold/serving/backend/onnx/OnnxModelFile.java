package io.ringfold.serving.backend.onnx;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.ringfold.io.ModelFileException;
import io.ringfold.io.ModelLimits;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * A {@code model.onnx} read within the server's {@link ModelLimits} before ONNX Runtime sees it. ONNX Runtime
 * 1.20 reads what a graph declares without bounds of its own: an initializer whose external data lies in
 * {@code ../../anything} is read (measured), and a tensor declared larger than the file is allocated while the
 * session initialises. So the file is refused when it is larger than {@link ModelLimits#maxFileBytes()}, and its
 * protobuf is scanned ({@link OnnxProtoScan}) for a tensor whose declared size exceeds that limit, for external
 * data outside the version directory, and for external data that with the file exceeds the limit.
 *
 * <p>A file the scan cannot parse is not refused here: ONNX Runtime then reads it from these bytes and refuses it
 * with its own reason, and from bytes it reads no external data at all.
 */
public final class OnnxModelFile {

    private final Path file;
    private final byte[] bytes;
    private final boolean externalData;
    private final String unparsed;

    private OnnxModelFile(Path file, byte[] bytes, boolean externalData, String unparsed) {
        this.file = file;
        this.bytes = bytes;
        this.externalData = externalData;
        this.unparsed = unparsed;
    }

    /**
     * Reads and checks {@code file}, refusing with a {@link ModelFileException} (naming the value and the limit) a
     * file larger than the limit, a tensor declared larger than it, or external data outside the file's
     * directory or beyond the limit.
     */
    public static OnnxModelFile read(Path file, ModelLimits limits) throws IOException {
        long max = limits.maxFileBytes();
        byte[] bytes;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > max) {
                throw new ModelFileException(file, "file of " + size + " bytes (expected: at most " + max
                        + ", the limit on model file bytes)");
            }
            if (size > Integer.MAX_VALUE - 8) {
                throw new ModelFileException(file, "file of " + size + " bytes (expected: at most 2 GiB, protobuf's"
                        + " limit; larger models keep their weights in external data files)");
            }
            bytes = new byte[(int) size];
            ByteBuffer b = ByteBuffer.wrap(bytes);
            // Only the size checked: a file growing meanwhile is read up to it, and then fails to parse.
            while (b.hasRemaining() && channel.read(b) >= 0) {
                // keep reading
            }
            if (b.hasRemaining()) {
                bytes = Arrays.copyOf(bytes, b.position());
            }
        }
        OnnxProtoScan scan = new OnnxProtoScan(file, limits);
        try {
            scan.model(CodedInputStream.newInstance(bytes));
        } catch (InvalidProtocolBufferException e) {
            return new OnnxModelFile(file, bytes, false, e.getMessage());
        }
        long total = bytes.length + scan.externalBytes;
        if (total > max) {
            throw new ModelFileException(file, bytes.length + " bytes and " + scan.externalBytes
                    + " bytes of external data (expected: at most " + max + " in all, the limit on model file bytes)");
        }
        return new OnnxModelFile(file, bytes, scan.externalTensors > 0, null);
    }

    public Path file() {
        return file;
    }

    /** The file's bytes; not copied. */
    byte[] bytes() {
        return bytes;
    }

    /**
     * Whether initializers live in external data files: ONNX Runtime then needs the file's path to find them,
     * having been told nothing else where they are.
     */
    public boolean usesExternalData() {
        return externalData;
    }

    /** Why the scan could not parse the file (ONNX Runtime will say its own reason), or null. */
    public String unparsed() {
        return unparsed;
    }
}
