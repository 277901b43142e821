package io.ringfold.io;

import java.nio.charset.StandardCharsets;

/**
 * Constants of the container layout (docs/model-format.md) shared by the writer and the reader. The
 * limits exist so that a corrupt length field is rejected with a message instead of driving an
 * allocation; the writer enforces the same limits, so it never writes a file the reader refuses.
 */
final class Layout {

    private Layout() {
    }

    static final byte[] MAGIC = "RINGFOLD".getBytes(StandardCharsets.US_ASCII);
    static final int CHECKSUM_BYTES = 32;
    static final String CHECKSUM_ALGORITHM = "SHA-256";

    /** Headers hold hyperparameters and provenance, kilobytes; 64 MiB is far beyond any honest one. */
    static final int MAX_HEADER_BYTES = 64 << 20;
    static final int MAX_NAME_BYTES = 4096;
    static final int MAX_RANK = 32;

    /** The smallest tensor record: name length, a one-byte name, rank 0, one float (a scalar). */
    static final int MIN_TENSOR_BYTES = 4 + 1 + 4 + 4;
}
