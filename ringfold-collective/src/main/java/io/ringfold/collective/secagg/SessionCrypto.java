package io.ringfold.collective.secagg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The keys, ciphertexts and commitments of one session, each bound to the session and its purpose, so
 * that nothing derived for one aggregation or one use serves another: pairwise keys by HKDF of an X25519
 * secret (salt: protocol and session; info: purpose), shares encrypted with AES-256-GCM (associated data:
 * session, sender, recipient), commitments as SHA-256 over the same labels and the share.
 */
final class SessionCrypto {

    static final int NONCE_BYTES = 12;
    static final int TAG_BYTES = 16;
    /** The plaintext of an encrypted share: the self-mask share, then the mask-key share. */
    static final int PLAINTEXT_BYTES = 2 * Shamir.ELEMENT_BYTES;
    static final int CIPHERTEXT_BYTES = NONCE_BYTES + PLAINTEXT_BYTES + TAG_BYTES;
    static final int COMMITMENT_BYTES = 32;

    private static final byte[] ENCRYPTION = label("share encryption");
    private static final byte[] MASK = label("pairwise mask");

    private final long session;
    private final byte[] salt;

    SessionCrypto(long session) {
        this.session = session;
        this.salt = ByteBuffer.allocate(24).put(label("v1")).putLong(session).array();
    }

    /** The key under which {@code a} and {@code b} encrypt shares to each other (symmetric in the two). */
    byte[] encryptionKey(PrivateKey mine, PublicKey theirs) throws InvalidKeyException {
        return Hkdf.derive(salt, X25519.agree(mine, theirs), ENCRYPTION);
    }

    /** The seed of the pairwise mask of two clients (symmetric in the two). */
    byte[] maskSeed(PrivateKey mine, PublicKey theirs) throws InvalidKeyException {
        return Hkdf.derive(salt, X25519.agree(mine, theirs), MASK);
    }

    byte[] encrypt(byte[] key, int from, int to, byte[] plaintext, SecureRandom random) {
        byte[] out = new byte[NONCE_BYTES + plaintext.length + TAG_BYTES];
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            gcm.updateAAD(associatedData(from, to));
            gcm.doFinal(plaintext, 0, plaintext.length, out, NONCE_BYTES);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM refused a 32-byte key", e);
        }
    }

    /** The plaintext; {@link GeneralSecurityException} when the ciphertext, its labels or the key do not match. */
    byte[] decrypt(byte[] key, int from, int to, byte[] ciphertext) throws GeneralSecurityException {
        if (ciphertext.length != CIPHERTEXT_BYTES) {
            throw new GeneralSecurityException("ciphertext of " + ciphertext.length + " bytes (expected: "
                    + CIPHERTEXT_BYTES + ")");
        }
        Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
        gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                new GCMParameterSpec(TAG_BYTES * 8, ciphertext, 0, NONCE_BYTES));
        gcm.updateAAD(associatedData(from, to));
        return gcm.doFinal(ciphertext, NONCE_BYTES, ciphertext.length - NONCE_BYTES);
    }

    /** Commitment to the share {@code value} of {@code owner}'s secret {@code kind} held by {@code holder}. */
    byte[] commitment(String kind, int owner, int holder, byte[] value) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(label("commitment " + kind));
            sha.update(ByteBuffer.allocate(16).putLong(session).putInt(owner).putInt(holder).array());
            sha.update(value);
            return sha.digest();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private byte[] associatedData(int from, int to) {
        return ByteBuffer.allocate(32).put(label("share")).putLong(session).putInt(from).putInt(to).array();
    }

    /** A 16-byte label: the protocol's name and a purpose, so that no two purposes share an input. */
    private static byte[] label(String purpose) {
        byte[] text = ("ringfold-secagg " + purpose).getBytes(StandardCharsets.US_ASCII);
        try {
            return java.util.Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(text), 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
