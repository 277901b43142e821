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
            byte[] name = t.name().getBytes(StandardCharsets.UTF_8);
            out.u32(name.length);
            out.bytes(name);
            int[] shape = t.shapeView();
            out.u32(shape.length);
            for (int d : shape) {
                out.u32(d);
            }
            out.floats(t.dataView());
        }
    }
}
