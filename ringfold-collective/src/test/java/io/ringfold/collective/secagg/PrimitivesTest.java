package io.ringfold.collective.secagg;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** The building blocks against published test vectors (RFC 5869, RFC 7748) or an independent computation. */
class PrimitivesTest {

    private static final HexFormat HEX = HexFormat.of();
    private static final long SEED = Long.getLong("ringfold.secagg.seed", 3L);

    @Test
    void hkdfMatchesRfc5869TestCases1And3() {
        byte[] ikm = HEX.parseHex("0b".repeat(22));
        // Test case 1 (L = 42): the first 32 bytes of its OKM.
        assertThat(HEX.formatHex(Hkdf.derive(HEX.parseHex("000102030405060708090a0b0c"), ikm,
                HEX.parseHex("f0f1f2f3f4f5f6f7f8f9"))))
                .isEqualTo("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf");
        // Test case 3: empty salt and info.
        assertThat(HEX.formatHex(Hkdf.derive(new byte[0], ikm, new byte[0])))
                .isEqualTo("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d");
    }

    @Test
    void x25519KeysMatchRfc7748Section61() throws Exception {
        PrivateKey alice = X25519.privateKey(HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        PrivateKey bob = X25519.privateKey(HEX.parseHex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
        byte[] base = new byte[32];
        base[0] = 9;
        String alicePublic = "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
        String bobPublic = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";

        assertThat(HEX.formatHex(X25519.agree(alice, X25519.publicKey(base)))).isEqualTo(alicePublic);
        assertThat(HEX.formatHex(X25519.agree(bob, X25519.publicKey(base)))).isEqualTo(bobPublic);
        assertThat(X25519.agree(alice, X25519.publicKey(HEX.parseHex(bobPublic))))
                .isEqualTo(X25519.agree(bob, X25519.publicKey(HEX.parseHex(alicePublic))));
        KeyPair generated = X25519.generate(Simulation.seeded(SEED));
        byte[] raw = X25519.publicBytes(generated.getPublic());
        assertThat(X25519.publicBytes(X25519.publicKey(raw))).isEqualTo(raw);
        assertThat(X25519.agree(X25519.privateKey(X25519.privateBytes(generated.getPrivate())), X25519.publicKey(base)))
                .isEqualTo(raw);
    }

    @Test
    void anyThresholdOfSharesRecoversTheSecretAndFewerDoNot() {
        byte[] secret = new byte[32];
        Simulation.seeded(SEED).nextBytes(secret);
        int[] holders = {0, 3, 4, 9, 10, 11, 20};
        byte[][] shares = Shamir.split(secret, 4, holders, Simulation.seeded(SEED + 1));
        int subsets = 0;
        for (int mask = 0; mask < 1 << holders.length; mask++) {
            if (Integer.bitCount(mask) != 4) {
                continue;
            }
            int[] ids = new int[4];
            byte[][] values = new byte[4][];
            for (int i = 0, k = 0; i < holders.length; i++) {
                if ((mask & 1 << i) != 0) {
                    ids[k] = holders[i];
                    values[k++] = shares[i];
                }
            }
            assertThat(Shamir.reconstruct(ids, values)).as("holders %s", java.util.Arrays.toString(ids)).isEqualTo(secret);
            subsets++;
        }
        assertThat(subsets).isEqualTo(35);
        // Three shares interpolate a degree-2 polynomial: its value at 0 is not the secret (it overflows 256 bits
        // with overwhelming probability, which reconstruct reports).
        boolean recovered;
        try {
            recovered = java.util.Arrays.equals(Shamir.reconstruct(new int[] {0, 3, 4},
                    new byte[][] {shares[0], shares[1], shares[2]}), secret);
        } catch (IllegalArgumentException e) {
            assertThat(e).hasMessageContaining("interpolate to a value of");
            recovered = false;
        }
        assertThat(recovered).isFalse();
    }

    @Test
    void maskIsTheAesCounterKeyStreamAsLittleEndianLongs() throws Exception {
        byte[] seed = new byte[32];
        Simulation.seeded(SEED).nextBytes(seed);
        long[] mask = new long[10_000];
        new MaskGenerator().apply(seed, mask, false);

        // Independently: AES-256 of the counter blocks 0, 1, 2, ... (big-endian 128-bit counters).
        Cipher ecb = Cipher.getInstance("AES/ECB/NoPadding");
        ecb.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(seed, "AES"));
        for (int block : new int[] {0, 1, 2, 4999}) {
            byte[] counter = new byte[16];
            counter[14] = (byte) (block >>> 8);
            counter[15] = (byte) block;
            byte[] stream = ecb.doFinal(counter);
            java.nio.LongBuffer words = java.nio.ByteBuffer.wrap(stream).order(java.nio.ByteOrder.LITTLE_ENDIAN).asLongBuffer();
            assertThat(mask[2 * block]).as("block %d", block).isEqualTo(words.get(0));
            assertThat(mask[2 * block + 1]).as("block %d", block).isEqualTo(words.get(1));
        }
        new MaskGenerator().apply(seed, mask, true);
        assertThat(mask).containsOnly(0L);
    }
}
