package io.ringfold.data;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The secret key of the {@code hmac} column mask: HMAC-SHA256 (RFC 2104) pseudonyms are computed with it, and
 * only its {@link #fingerprint()} is ever stored or shown, so that a server can refuse a key other than the one
 * a model was trained with. The key itself is never written anywhere: not in the model, a run record, a log
 * or a message; {@link #toString()} gives the fingerprint.
 */
public final class MaskKey implements java.io.Serializable {

    // Serializable for one purpose: Spark ships a bound key to its executors inside the masking task, as it ships
    // every task's state (docs/spark.md); nothing in Ringfold writes it to a file.
    private static final long serialVersionUID = 1L;

    /** Shorter keys are refused: 16 bytes (128 bits) is the least HMAC-SHA256 should be keyed with. */
    public static final int MIN_BYTES = 16;

    /** Largest key file read; a key is a few dozen bytes, so a larger file is a wrong path. */
    static final int MAX_BYTES = 4096;

    /** What the fingerprint is the HMAC of: a fixed label, so it reveals nothing of any column's values. */
    private static final byte[] FINGERPRINT_LABEL = "ringfold-mask-key-fingerprint-v1".getBytes(StandardCharsets.US_ASCII);

    /** Bytes of an HMAC kept, in pseudonyms and the fingerprint: 128 bits, no collision among 2^40 values. */
    static final int DIGEST_BYTES = 16;

    private final byte[] key;
    private final String fingerprint;

    private MaskKey(byte[] key) {
        if (key.length < MIN_BYTES) {
            throw new IllegalArgumentException(key.length + " bytes (expected: at least " + MIN_BYTES
                    + ", e.g. the 64 characters openssl rand -hex 32 writes)");
        }
        this.key = key.clone();
        this.fingerprint = HexFormat.of().formatHex(hmac(FINGERPRINT_LABEL));
    }

    /** A key of these bytes (tests and embedders; the command line reads a file). */
    public static MaskKey of(byte[] key) {
        return new MaskKey(key);
    }

    /**
     * The key in {@code file}: its bytes, less one trailing line break ({@code \n} or {@code \r\n}, which an
     * editor or {@code echo} adds), at least {@value #MIN_BYTES} of them.
     *
     * @throws IllegalArgumentException naming the file and the problem, never its content
     */
    public static MaskKey read(Path file) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw new IllegalArgumentException(file + ": " + Files.size(file) + " bytes (expected: a key of at most "
                        + MAX_BYTES + " bytes)");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file (expected: the mask key file)");
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read (" + e.getClass().getSimpleName() + ")");
        }
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\n') {
            n -= n > 1 && bytes[n - 2] == '\r' ? 2 : 1;
        }
        try {
            return new MaskKey(Arrays.copyOf(bytes, n));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    /** Hex of the first {@value #DIGEST_BYTES} bytes of HMAC-SHA256(key, "ringfold-mask-key-fingerprint-v1"): what models store. */
    public String fingerprint() {
        return fingerprint;
    }

    /** The first {@value #DIGEST_BYTES} bytes of HMAC-SHA256 of {@code message} under this key. */
    byte[] hmac(byte[] message) {
        try {
            // A Mac is not thread-safe and serving masks on many threads; one per call costs a microsecond.
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Arrays.copyOf(mac.doFinal(message), DIGEST_BYTES);
        } catch (GeneralSecurityException e) {
            // Every Java platform must provide HmacSHA256 (Mac Javadoc).
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MaskKey k && java.security.MessageDigest.isEqual(k.key, key);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }

    @Override
    public String toString() {
        return "MaskKey[fingerprint " + fingerprint + "]";
    }
}
