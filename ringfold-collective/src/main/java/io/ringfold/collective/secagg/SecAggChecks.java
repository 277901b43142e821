package io.ringfold.collective.secagg;

import io.ringfold.collective.secagg.SecAggMessage.AdvertiseKeys;
import io.ringfold.collective.secagg.SecAggMessage.ClientMessage;
import io.ringfold.collective.secagg.SecAggMessage.EncryptedShare;
import io.ringfold.collective.secagg.SecAggMessage.MaskedInput;
import io.ringfold.collective.secagg.SecAggMessage.RevealedShare;
import io.ringfold.collective.secagg.SecAggMessage.ShareKeys;
import io.ringfold.collective.secagg.SecAggMessage.UnmaskResponse;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The server's checks of a client message's content, once its sender, session and round are known to be
 * right: each returns what is wrong with it in a phrase for the exclusion's reason, or null.
 */
final class SecAggChecks {

    private SecAggChecks() {
    }

    static String problem(ClientMessage m, SecAggServer server) {
        if (m instanceof AdvertiseKeys a) {
            return advertise(a, server);
        } else if (m instanceof ShareKeys s) {
            return shareKeys(s, server);
        } else if (m instanceof MaskedInput y) {
            return maskedInput(y, server);
        }
        return unmask((UnmaskResponse) m, server);
    }

    private static String advertise(AdvertiseKeys a, SecAggServer server) {
        for (byte[] key : new byte[][] {a.encryptionKey(), a.maskKey()}) {
            if (!validPublicKey(key, server.probe())) {
                return "a public key of " + (key == null ? "null" : key.length + " bytes")
                        + " (expected: an X25519 key of 32 bytes, not of small order)";
            }
        }
        if (Arrays.equals(a.encryptionKey(), a.maskKey())) {
            return "the same public key twice (expected: two key pairs)";
        }
        for (AdvertiseKeys other : server.advertised().values()) {
            for (byte[] theirs : new byte[][] {other.encryptionKey(), other.maskKey()}) {
                if (Arrays.equals(theirs, a.encryptionKey()) || Arrays.equals(theirs, a.maskKey())) {
                    return "a public key client " + other.client() + " advertised already (expected: keys of its own)";
                }
            }
        }
        return null;
    }

    private static String shareKeys(ShareKeys s, SecAggServer server) {
        Set<Integer> holders = server.advertised().keySet();
        if (s.shares().size() != holders.size()) {
            return s.shares().size() + " encrypted shares (expected: " + holders.size()
                    + ", one for each client that advertised keys)";
        }
        Set<Integer> seen = new HashSet<>();
        for (EncryptedShare e : s.shares()) {
            if (e.from() != s.client() || !holders.contains(e.to()) || !seen.add(e.to())) {
                return "a share from client " + e.from() + " to client " + e.to() + " (expected: from " + s.client()
                        + ", to each client that advertised keys once)";
            }
            if (e.ciphertext() == null || e.ciphertext().length != SessionCrypto.CIPHERTEXT_BYTES) {
                return "a share for client " + e.to() + " of " + bytes(e.ciphertext()) + " (expected: "
                        + SessionCrypto.CIPHERTEXT_BYTES + ")";
            }
            if (!commitment(e.selfMaskCommitment()) || !commitment(e.maskKeyCommitment())) {
                return "a share commitment for client " + e.to() + " of " + bytes(e.selfMaskCommitment()) + " and "
                        + bytes(e.maskKeyCommitment()) + " (expected: " + SessionCrypto.COMMITMENT_BYTES + " each)";
            }
        }
        return null;
    }

    private static String maskedInput(MaskedInput y, SecAggServer server) {
        int length = server.parameters().vectorLength();
        if (y.masked() == null || y.masked().length != length) {
            return "a masked input of " + (y.masked() == null ? "null" : y.masked().length + " elements")
                    + " (expected: vectorLength " + length + ")";
        }
        for (int sender : y.refusedSenders()) {
            if (!server.sharers().contains(sender) || sender == y.client()) {
                return "a refusal of the share of client " + sender + " (expected: refusals of other clients of round 1 only)";
            }
        }
        return null;
    }

    private static String unmask(UnmaskResponse r, SecAggServer server) {
        String p = revealed(r.selfMaskShares(), server.survivors(), r.client(), SecretKind.SELF_MASK, server);
        if (p != null) {
            return p;
        }
        Set<Integer> dropped = new HashSet<>(server.sharers());
        dropped.removeAll(server.survivors());
        return revealed(r.maskKeyShares(), dropped, r.client(), SecretKind.MASK_KEY, server);
    }

    /** Each share: of an owner in {@code owners}, once, and matching the commitment its owner sent in round 1. */
    private static String revealed(List<RevealedShare> shares, Set<Integer> owners, int holder, String kind,
                                   SecAggServer server) {
        Set<Integer> seen = new HashSet<>();
        for (RevealedShare s : shares) {
            if (!owners.contains(s.owner()) || !seen.add(s.owner())) {
                return "a share of the " + kind + " of client " + s.owner() + " (expected: one share of the " + kind
                        + " of each of " + owners + ")";
            }
            byte[] committed = commitmentFor(server.shared().get(s.owner()).shares(), holder, kind);
            byte[] value = s.value();
            if (value == null || value.length != Shamir.ELEMENT_BYTES || committed == null
                    || !MessageDigest.isEqual(committed, server.crypto().commitment(kind, s.owner(), holder, value))) {
                return "its share of the " + kind + " of client " + s.owner()
                        + " does not match the commitment client " + s.owner() + " sent in round 1 (a tampered or wrong share)";
            }
        }
        return null;
    }

    private static byte[] commitmentFor(List<EncryptedShare> shares, int holder, String kind) {
        for (EncryptedShare e : shares) {
            if (e.to() == holder) {
                return SecretKind.SELF_MASK.equals(kind) ? e.selfMaskCommitment() : e.maskKeyCommitment();
            }
        }
        return null;
    }

    private static boolean validPublicKey(byte[] raw, PrivateKey probe) {
        if (raw == null || raw.length != X25519.KEY_BYTES) {
            return false;
        }
        try {
            X25519.agree(probe, X25519.publicKey(raw));
            return true;
        } catch (InvalidKeyException e) {
            return false;
        }
    }

    private static boolean commitment(byte[] c) {
        return c != null && c.length == SessionCrypto.COMMITMENT_BYTES;
    }

    private static String bytes(byte[] b) {
        return b == null ? "null" : b.length + " bytes";
    }
}
