package io.ringfold.io;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The encoding of the tensor section (tensor count, then each tensor's name, rank, dims and data), the
 * one piece of code behind both the file writer and {@link ModelFile#parameterDigest}: the digest is
 * the SHA-256 of exactly the bytes the file holds from the tensor count up to the checksum.
 */
final class TensorSection {

    private TensorSection() {
    }

    static void write(LittleEndianOutput out, List<NamedTensor> tensors) throws IOException {
        out.u32(tensors.size());
        for (NamedTensor t : tensors) {
            tensor(out, t.name(), t.shapeView(), t.dataView(), 0);
        }
    }

    /** One tensor: its name, its shape, and its elements, {@code data[from, from + product of shape)}. */
    static void tensor(LittleEndianOutput out, String tensorName, int[] shape, float[] data, int from) throws IOException {
        byte[] name = tensorName.getBytes(StandardCharsets.UTF_8);
        out.u32(name.length);
        out.bytes(name);
        out.u32(shape.length);
        long count = 1;
        for (int d : shape) {
            out.u32(d);
            count *= d;
        }
        out.floats(data, from, Math.toIntExact(from + count));
    }
}
