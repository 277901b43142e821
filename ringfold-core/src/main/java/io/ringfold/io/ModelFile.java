package io.ringfold.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Ringfold model file: one versioned, checksummed container per model version, holding a JSON
 * header and named float32 tensors; the byte layout is specified in {@code docs/model-format.md}.
 *
 * <p>{@link #write} is atomic: it writes a hidden temporary file in the target's directory, forces it
 * to disk and renames it over the target, so a killed process leaves either the old file or the new
 * one under the final name, never a partial one. {@link #read} returns the tensors bit for bit and
 * rejects foreign, newer, truncated, corrupt or inconsistent files with a {@link ModelFileException}
 * whose one-line message names the file and the problem.
 */
public final class ModelFile {

    /** The format this code writes and the only one it reads; bump it for any change of layout. */
    public static final int FORMAT_VERSION = 1;

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    /** Makes temporary file names unique within the process; the pid makes them unique across processes. */
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    private ModelFile() {
    }

    /** What a file holds. Immutable: the header is copied in and out, the tensor list is unmodifiable. */
    public record Contents(int formatVersion, ObjectNode header, List<NamedTensor> tensors) {

        public Contents {
            header = Objects.requireNonNull(header, "header").deepCopy();
            tensors = List.copyOf(tensors);
        }

        @Override
        public ObjectNode header() {
            return header.deepCopy();
        }

        /** The tensor called {@code name}, if the file has one. */
        public Optional<NamedTensor> tensor(String name) {
            for (NamedTensor t : tensors) {
                if (t.name().equals(name)) {
                    return Optional.of(t);
                }
            }
            return Optional.empty();
        }

        /** {@link ModelFile#parameterDigest} of the tensors. */
        public String parameterDigest() {
            return ModelFile.parameterDigest(tensors);
        }
    }

    /**
     * Writes {@code header} and {@code tensors} to {@code file} atomically, replacing any file there and
     * creating missing parent directories. Tensor names must be unique.
     *
     * @throws IllegalArgumentException when the tensors or header break the format's limits
     * @throws IOException when the file system fails; the target is then left as it was
     */
    public static void write(Path file, ObjectNode header, List<NamedTensor> tensors) throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] headerBytes = encodeHeader(Objects.requireNonNull(header, "header"));
        checkTensors(Objects.requireNonNull(tensors, "tensors"));

        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        Files.createDirectories(dir);
        Path temp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "."
                + TEMP_COUNTER.getAndIncrement() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                LittleEndianOutput out = new LittleEndianOutput(channel, newDigest());
                out.bytes(Layout.MAGIC);
                out.u32(FORMAT_VERSION);
                out.u32(headerBytes.length);
                out.bytes(headerBytes);
                TensorSection.write(out, tensors);
                out.finishWithChecksum();
                channel.force(true);
            }
            // On POSIX a rename over an existing file is atomic; readers see the old or the new file.
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /** Reads and verifies {@code file} within the format's own limits ({@link ModelLimits#FORMAT}). */
    public static Contents read(Path file) throws IOException {
        return read(file, ModelLimits.FORMAT);
    }

    /**
     * Reads and verifies {@code file}, refusing it with a {@link ModelFileException} before allocating
     * when it is larger than {@code limits} allow or (with {@link ModelLimits#checkFreeHeap()}) than the
     * free heap can load.
     */
    public static Contents read(Path file, ModelLimits limits) throws IOException {
        return ModelFileReader.read(Objects.requireNonNull(file, "file"), Objects.requireNonNull(limits, "limits"));
    }

    /**
     * Hex SHA-256 of the tensors' names, shapes and float bits (little-endian, raw, so NaN payloads
     * count) in list order: equal digests mean bit-identical parameters. It is the hash of exactly the
     * file's bytes from the tensor count up to the checksum, so it does not depend on the header.
     */
    public static String parameterDigest(List<NamedTensor> tensors) {
        LittleEndianOutput out = new LittleEndianOutput(null, newDigest());
        try {
            TensorSection.write(out, tensors);
            return HexFormat.of().formatHex(out.finishDigest());
        } catch (IOException e) {
            throw new AssertionError("hashing without a channel does no I/O", e);
        }
    }

    /** A tensor whose elements lie in a larger array from {@code offset} on. */
    public record TensorSlice(String name, int[] shape, int offset) {
    }

    /**
     * {@link #parameterDigest} of the tensors {@code slices} would make of {@code data}, without copying them: a
     * large model's digest needs no second copy of its parameters.
     */
    public static String parameterDigest(float[] data, List<TensorSlice> slices) {
        LittleEndianOutput out = new LittleEndianOutput(null, newDigest());
        try {
            out.u32(slices.size());
            for (TensorSlice s : slices) {
                long count = NamedTensor.elementCount(s.shape());
                if (count < 0 || s.offset() < 0 || s.offset() + count > data.length) {
                    throw new IllegalArgumentException("tensor " + s.name() + ": shape " + Arrays.toString(s.shape())
                            + " from " + s.offset() + " (expected: within the " + data.length + " elements given)");
                }
                TensorSection.tensor(out, s.name(), s.shape(), data, s.offset());
            }
            return HexFormat.of().formatHex(out.finishDigest());
        } catch (IOException e) {
            throw new AssertionError("hashing without a channel does no I/O", e);
        }
    }

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(Layout.CHECKSUM_ALGORITHM);
        } catch (NoSuchAlgorithmException e) {
            // Every Java SE platform must provide SHA-256 (MessageDigest's documented requirements).
            throw new AssertionError(Layout.CHECKSUM_ALGORITHM + " missing from this JVM", e);
        }
    }

    private static byte[] encodeHeader(ObjectNode header) {
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("header: cannot be written as JSON (" + e.getOriginalMessage() + ")", e);
        }
        if (bytes.length > Layout.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("header: " + bytes.length + " bytes of JSON (expected: at most "
                    + Layout.MAX_HEADER_BYTES + ")");
        }
        return bytes;
    }

    private static void checkTensors(List<NamedTensor> tensors) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tensors.size(); i++) {
            NamedTensor t = Objects.requireNonNull(tensors.get(i), "tensors[" + i + "]");
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tensor name: \"" + t.name() + "\" appears twice (expected: unique)");
            }
            // A lone surrogate would be written as '?' and read back as a different name.
            if (!StandardCharsets.UTF_8.newEncoder().canEncode(t.name())) {
                throw new IllegalArgumentException("tensor name: \"" + t.name() + "\" (expected: valid Unicode)");
            }
            int nameBytes = t.name().getBytes(StandardCharsets.UTF_8).length;
            if (nameBytes > Layout.MAX_NAME_BYTES) {
                throw new IllegalArgumentException("tensor " + t.name() + ": name of " + nameBytes
                        + " UTF-8 bytes (expected: at most " + Layout.MAX_NAME_BYTES + ")");
            }
            if (t.rank() > Layout.MAX_RANK) {
                throw new IllegalArgumentException("tensor " + t.name() + ": rank " + t.rank()
                        + " (expected: at most " + Layout.MAX_RANK + ")");
            }
        }
    }

    /**
     * Makes the rename itself durable. Only POSIX file systems let a directory be opened and forced;
     * elsewhere (Windows) the rename is still atomic, just not yet flushed.
     */
    private static void syncDirectory(Path dir) throws IOException {
        if (!dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }
}
