package io.ringfold.data;

import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 over a data set's content. The bytes hashed, all little-endian: the tag
 * {@code "ringfold-dataset-v1"}, one storage byte (0 dense, 1 CSR), rows and cols as int32; for dense
 * storage every value's float bits in row order; for CSR storage, per row, the column (int32) and float
 * bits of each non-zero value, then the int32 -1 as end of row; then the labels' float bits; then, only
 * for data with a text column, each row's document as its UTF-8 length (int32) and bytes; then, only for
 * weighted data, the ASCII tag {@code "weights"} and each row's weight's float bits. A missing feature
 * value (NaN) is hashed as the canonical NaN. Zeros are
 * hashed as +0.0 so that -0.0 does not change the result, and explicit zeros in CSR are skipped. Equal
 * data gives equal fingerprints; the same values stored dense and sparse give different ones.
 */
final class DatasetFingerprint {

    private static final byte[] TAG = "ringfold-dataset-v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final byte[] WEIGHTS_TAG = "weights".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final MessageDigest digest;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

    private DatasetFingerprint() {
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest Javadoc).
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /**
     * @param documents the text column's documents, or null without one
     * @param weights   the sample weights, or null for unweighted data
     */
    static String of(Matrix features, float[] labels, String[] documents, float[] weights) {
        DatasetFingerprint f = new DatasetFingerprint();
        f.digest.update(TAG);
        f.putByte(features instanceof CsrMatrix ? 1 : 0);
        f.putInt(features.rows());
        f.putInt(features.cols());
        if (features instanceof FloatMatrix dense) {
            f.putFloats(dense.data(), dense.data().length);
        } else if (features instanceof CsrMatrix sparse) {
            for (int r = 0; r < sparse.rows(); r++) {
                for (int p = sparse.rowStart(r), end = sparse.rowStart(r + 1); p < end; p++) {
                    float v = sparse.valueAt(p);
                    if (v != 0f) {
                        f.putInt(sparse.columnAt(p));
                        f.putFloat(v);
                    }
                }
                f.putInt(-1);
            }
        }
        f.putFloats(labels, labels.length);
        if (documents != null) {
            for (String d : documents) {
                byte[] utf8 = d.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                f.putInt(utf8.length);
                f.flush();
                f.digest.update(utf8);
            }
        }
        if (weights != null) {
            f.flush();
            f.digest.update(WEIGHTS_TAG);
            f.putFloats(weights, weights.length);
        }
        f.flush();
        return HexFormat.of().formatHex(f.digest.digest());
    }

    private void ensure(int bytes) {
        if (buffer.remaining() < bytes) {
            flush();
        }
    }

    private void flush() {
        buffer.flip();
        digest.update(buffer);
        buffer.clear();
    }

    private void putByte(int b) {
        ensure(1);
        buffer.put((byte) b);
    }

    private void putInt(int v) {
        ensure(4);
        buffer.putInt(v);
    }

    private void putFloat(float v) {
        ensure(4);
        buffer.putInt(v == 0f ? 0 : Float.floatToIntBits(v));
    }

    private void putFloats(float[] values, int n) {
        for (int i = 0; i < n; i++) {
            putFloat(values[i]);
        }
    }
}
