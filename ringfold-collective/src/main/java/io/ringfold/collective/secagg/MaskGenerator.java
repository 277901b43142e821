package io.ringfold.collective.secagg;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The pseudorandom generator that expands a 32-byte seed into a mask of int64 values: AES-256 in counter
 * mode from a zero counter, the key stream read as little-endian longs. Every seed masks one vector once
 * (self-mask seeds are fresh per round; pairwise seeds are derived with the session), so the fixed counter
 * never repeats a key stream. The JDK runs AES-CTR with the CPU's AES instructions where it has them.
 */
final class MaskGenerator {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Key stream bytes per cipher call: 64 KiB, in cache while it is added in. */
    private static final int CHUNK = 1 << 16;

    private final Cipher cipher;
    private final byte[] zeros = new byte[CHUNK];
    private final byte[] stream = new byte[CHUNK];

    MaskGenerator() {
        try {
            cipher = Cipher.getInstance("AES/CTR/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CTR is missing from this JDK", e);
        }
    }

    /** {@code target[i] += PRG(seed)[i]} (or {@code -=} when {@code subtract}), modulo 2^64. */
    void apply(byte[] seed, long[] target, boolean subtract) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"), new IvParameterSpec(new byte[16]));
            int n = target.length;
            for (int from = 0; from < n; from += CHUNK / Long.BYTES) {
                int count = Math.min(CHUNK / Long.BYTES, n - from);
                int bytes = count * Long.BYTES;
                cipher.update(zeros, 0, bytes, stream, 0);
                if (subtract) {
                    for (int i = 0; i < count; i++) {
                        target[from + i] -= (long) LONGS.get(stream, i * Long.BYTES);
                    }
                } else {
                    for (int i = 0; i < count; i++) {
                        target[from + i] += (long) LONGS.get(stream, i * Long.BYTES);
                    }
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/CTR refused a 32-byte key", e);
        }
    }
}
