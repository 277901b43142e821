package io.ringfold.collective.secagg;

import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with HMAC-SHA256 (RFC 5869), for 32-byte keys only (one block of expand): turns an X25519 shared
 * secret, which is not uniformly distributed, into a uniform key bound to a purpose and a session.
 */
final class Hkdf {

    static final int KEY_BYTES = 32;

    private Hkdf() {
    }

    /** {@code HKDF-Expand(HKDF-Extract(salt, ikm), info, 32)}. */
    static byte[] derive(byte[] salt, byte[] ikm, byte[] info) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // RFC 5869: an empty salt stands for HashLen zero bytes; SecretKeySpec refuses an empty key.
            mac.init(new SecretKeySpec(salt.length == 0 ? new byte[KEY_BYTES] : salt, "HmacSHA256"));
            byte[] prk = mac.doFinal(ikm);
            mac.init(new SecretKeySpec(prk, "HmacSHA256"));
            mac.update(info);
            mac.update((byte) 1);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
        }
    }
}
