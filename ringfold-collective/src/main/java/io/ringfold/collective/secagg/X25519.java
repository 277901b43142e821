package io.ringfold.collective.secagg;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.KeyAgreement;

/**
 * X25519 (RFC 7748) through the JDK's XDH provider, with keys as their raw 32 bytes on the wire: public keys
 * as the little-endian u-coordinate, private keys as the scalar (which is what Shamir-shares a mask key).
 */
final class X25519 {

    static final int KEY_BYTES = 32;

    private X25519() {
    }

    static KeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("X25519");
            g.initialize(NamedParameterSpec.X25519, random);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is missing from this JDK", e);
        }
    }

    static byte[] publicBytes(PublicKey key) {
        byte[] big = ((XECPublicKey) key).getU().toByteArray();
        byte[] out = new byte[KEY_BYTES];
        // BigInteger is big-endian with an optional sign byte; RFC 7748 is little-endian, 32 bytes.
        for (int i = 0; i < KEY_BYTES && i < big.length; i++) {
            out[i] = big[big.length - 1 - i];
        }
        return out;
    }

    static byte[] privateBytes(PrivateKey key) {
        return ((XECPrivateKey) key).getScalar().orElseThrow(
                () -> new IllegalStateException("X25519 private key: its scalar is not extractable"));
    }

    static PublicKey publicKey(byte[] raw) {
        checkLength(raw, "public key");
        byte[] big = new byte[KEY_BYTES + 1];
        for (int i = 0; i < KEY_BYTES; i++) {
            big[KEY_BYTES - i] = raw[i];
        }
        // RFC 7748 section 5: the most significant bit of the last byte is ignored.
        big[1] &= 0x7f;
        try {
            return KeyFactory.getInstance("X25519").generatePublic(
                    new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(big)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is missing from this JDK", e);
        }
    }

    static PrivateKey privateKey(byte[] scalar) {
        checkLength(scalar, "private key");
        try {
            return KeyFactory.getInstance("X25519").generatePrivate(
                    new XECPrivateKeySpec(NamedParameterSpec.X25519, scalar.clone()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is missing from this JDK", e);
        }
    }

    /**
     * The shared secret of {@code mine} and {@code theirs}; {@link InvalidKeyException} when {@code theirs}
     * is a point of small order (the secret would be all zeros, known to anyone).
     */
    static byte[] agree(PrivateKey mine, PublicKey theirs) throws InvalidKeyException {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("X25519");
            ka.init(mine);
            ka.doPhase(theirs, true);
            return ka.generateSecret();
        } catch (InvalidKeyException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is missing from this JDK", e);
        }
    }

    private static void checkLength(byte[] raw, String what) {
        if (raw == null || raw.length != KEY_BYTES) {
            throw new IllegalArgumentException("X25519 " + what + ": " + (raw == null ? "null" : raw.length + " bytes")
                    + " (expected: " + KEY_BYTES + ")");
        }
    }
}
