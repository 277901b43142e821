package io.ringfold.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one container in two stages. First the structure: every length field is checked against the
 * bytes that remain before the checksum, so neither truncation nor a corrupt length can drive an
 * allocation, and the raw bytes are hashed on the way. Then, only once the checksum matches, the
 * content is interpreted (UTF-8, JSON, names), so a flipped byte in the payload is reported as
 * corruption rather than as whatever nonsense it decodes to.
 */
final class ModelFileReader {

    private ModelFileReader() {
    }

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** A tensor as laid out in the file, before its name is decoded. */
    private record RawTensor(byte[] name, int[] shape, float[] data) {
    }

    static ModelFile.Contents read(Path file, ModelLimits limits) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > limits.maxFileBytes()) {
                throw new ModelFileException(file, "file of " + size + " bytes (expected: at most " + limits.maxFileBytes()
                        + ", the limit on model file bytes)");
            }
            LittleEndianInput in = new LittleEndianInput(file, channel, size,
                    ModelFile.newDigest());
            checkMagic(file, in);
            long version = in.u32();
            if (version != ModelFile.FORMAT_VERSION) {
                throw new ModelFileException(file, "unknown format version " + version + " (expected: "
                        + ModelFile.FORMAT_VERSION + "; written by a newer Ringfold?)");
            }
            in.reserveTail(Layout.CHECKSUM_BYTES);
            int headerLength = checkedLength(file, in.u32(), Layout.MAX_HEADER_BYTES, "header length");
            if (headerLength > limits.maxHeaderBytes()) {
                throw new ModelFileException(file, "header of " + headerLength + " bytes (expected: at most "
                        + limits.maxHeaderBytes() + ", the limit on model header bytes)");
            }
            if (limits.checkFreeHeap()) {
                // Everything after the header is tensors, so the file's size bounds what they can hold.
                long tensorBytes = Math.max(0, in.remaining() - headerLength);
                HeapBudget.require(file, ModelLimits.estimatedHeapBytes(tensorBytes, headerLength), tensorBytes,
                        headerLength);
            }
            byte[] header = in.bytes(headerLength);
            List<RawTensor> raw = readTensors(file, in, limits);
            if (in.remaining() > 0) {
                throw new ModelFileException(file, in.remaining() + " unexpected bytes after the last tensor at byte "
                        + in.position() + " (expected the " + Layout.CHECKSUM_BYTES + "-byte checksum there;"
                        + " file corrupt)");
            }
            byte[] computed = in.digest();
            byte[] stored = in.tail();
            if (!MessageDigest.isEqual(computed, stored)) {
                throw new ModelFileException(file, "checksum mismatch (file corrupt)");
            }
            return new ModelFile.Contents((int) version, parseHeader(file, header), toTensors(file, raw));
        }
    }

    /**
     * The magic is compared without quoting the file's bytes back: the message reaches clients (the
     * repository's model status), and a file that is not a model may be anything.
     */
    private static void checkMagic(Path file, LittleEndianInput in) throws IOException {
        int available = (int) Math.min(Layout.MAGIC.length, in.size());
        byte[] magic = in.bytes(available);
        if (!Arrays.equals(magic, Arrays.copyOf(Layout.MAGIC, available))) {
            throw new ModelFileException(file, "not a Ringfold model (expected: the " + Layout.MAGIC.length
                    + " bytes \"RINGFOLD\" at its start)");
        }
        if (available < Layout.MAGIC.length) {
            throw in.truncated(Layout.MAGIC.length + 4L);
        }
    }

    private static List<RawTensor> readTensors(Path file, LittleEndianInput in, ModelLimits limits) throws IOException {
        long count = in.u32();
        // A count the remaining bytes cannot hold is reported like any other short file (a corrupt count
        // and a cut file look the same from here); the checksum has not been checked yet.
        long most = in.remaining() / Layout.MIN_TENSOR_BYTES;
        if (count > most) {
            throw in.truncated(in.position() + count * Layout.MIN_TENSOR_BYTES + Layout.CHECKSUM_BYTES);
        }
        if (count > limits.maxTensors()) {
            throw new ModelFileException(file, count + " tensors (expected: at most " + limits.maxTensors()
                    + ", the limit on model tensors)");
        }
        // The count is bounded by the file size, not by int: keep the initial capacity modest.
        List<RawTensor> tensors = new ArrayList<>((int) Math.min(count, 1024));
        for (long i = 0; i < count; i++) {
            String what = "tensor " + i;
            int nameLength = checkedLength(file, in.u32(), Layout.MAX_NAME_BYTES, what + ": name length");
            if (nameLength == 0) {
                throw new ModelFileException(file, what + ": name length 0 (expected: > 0)");
            }
            byte[] name = in.bytes(nameLength);
            int rank = checkedLength(file, in.u32(), Layout.MAX_RANK, what + ": rank");
            int[] shape = new int[rank];
            for (int d = 0; d < rank; d++) {
                shape[d] = checkedLength(file, in.u32(), Integer.MAX_VALUE, what + ": dim " + d);
            }
            long elements = NamedTensor.elementCount(shape);
            if (elements > NamedTensor.MAX_ELEMENTS) {
                throw new ModelFileException(file, what + ": shape " + Arrays.toString(shape) + " is absurd"
                        + " (expected: at most " + NamedTensor.MAX_ELEMENTS + " elements; file corrupt)");
            }
            tensors.add(new RawTensor(name, shape, in.floats((int) elements)));
        }
        return tensors;
    }

    private static int checkedLength(Path file, long value, int max, String what) throws ModelFileException {
        if (value > max) {
            throw new ModelFileException(file, what + " " + value + " is absurd (expected: at most " + max
                    + "; file corrupt)");
        }
        return (int) value;
    }

    private static ObjectNode parseHeader(Path file, byte[] bytes) throws ModelFileException {
        String text = decodeUtf8(file, bytes, "header");
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JacksonException e) {
            throw new ModelFileException(file, "header not valid JSON (" + oneLine(e.getOriginalMessage()) + ")", e);
        }
        if (!(node instanceof ObjectNode object)) {
            throw new ModelFileException(file, "header not valid JSON (expected: an object, found: "
                    + (node == null ? "nothing" : node.getNodeType()) + ")");
        }
        return object;
    }

    private static List<NamedTensor> toTensors(Path file, List<RawTensor> raw) throws ModelFileException {
        List<NamedTensor> tensors = new ArrayList<>(raw.size());
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < raw.size(); i++) {
            // Each raw tensor is dropped once copied, so the file's data is held once, not twice.
            RawTensor r = raw.set(i, null);
            String name = decodeUtf8(file, r.name(), "tensor " + i + " name");
            Integer previous = seen.putIfAbsent(name, i);
            if (previous != null) {
                throw new ModelFileException(file, "duplicate tensor name \"" + name + "\" (tensors " + previous
                        + " and " + i + "; expected: unique names)");
            }
            tensors.add(new NamedTensor(name, r.shape(), r.data()));
        }
        return tensors;
    }

    private static String decodeUtf8(Path file, byte[] bytes, String what) throws ModelFileException {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new ModelFileException(file, what + " not valid UTF-8 (" + e + ")", e);
        }
    }

    private static String oneLine(String message) {
        return message == null ? "no detail" : message.replaceAll("\\s+", " ").trim();
    }
}
