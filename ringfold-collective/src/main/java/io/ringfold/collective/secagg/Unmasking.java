package io.ringfold.collective.secagg;

import io.ringfold.collective.secagg.SecAggMessage.AdvertiseKeys;
import io.ringfold.collective.secagg.SecAggMessage.MaskedInput;
import io.ringfold.collective.secagg.SecAggMessage.RevealedShare;
import io.ringfold.collective.secagg.SecAggMessage.UnmaskResponse;
import java.math.BigInteger;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The server's last step: the survivors' masked inputs summed, each survivor's self mask removed with its
 * seed reconstructed from the revealed shares, and each dropped client's pairwise masks with every survivor
 * removed with its mask key reconstructed likewise. Every pairwise mask between two survivors cancels in
 * the sum by itself (one adds it, the other subtracts it).
 */
final class Unmasking {

    /** X25519's base point, u = 9: agreeing a private key with it gives that key's public key. */
    private static final byte[] BASE_POINT = basePoint();

    private Unmasking() {
    }

    static long[] sum(SecAggServer server, Map<Integer, MaskedInput> masked, Map<Integer, UnmaskResponse> responses,
                      Map<Integer, AdvertiseKeys> advertised, Set<Integer> sharers, Set<Integer> survivors) {
        SecAggParameters p = server.parameters();
        long[] total = new long[p.vectorLength()];
        for (int u : survivors) {
            long[] y = masked.get(u).masked();
            for (int i = 0; i < total.length; i++) {
                total[i] += y[i];
            }
        }
        Map<List<Integer>, BigInteger[]> lagrange = new HashMap<>();
        MaskGenerator prg = new MaskGenerator();
        for (int u : survivors) {
            byte[] seed = reconstruct(server, u, SecretKind.SELF_MASK, responses, lagrange);
            prg.apply(seed, total, true);
        }
        Set<Integer> dropped = new TreeSet<>(sharers);
        dropped.removeAll(survivors);
        for (int d : dropped) {
            byte[] scalar = reconstruct(server, d, SecretKind.MASK_KEY, responses, lagrange);
            PrivateKey key = X25519.privateKey(scalar);
            check(server, d, key, advertised.get(d).maskKey());
            for (int u : survivors) {
                byte[] seed;
                try {
                    seed = server.crypto().maskSeed(key, X25519.publicKey(advertised.get(u).maskKey()));
                } catch (InvalidKeyException e) {
                    throw new IllegalStateException("client " + u + "'s mask key passed the server's check in round 0", e);
                }
                // Survivor u added PRG(s_ud) when d > u and subtracted it when d < u: undo that.
                prg.apply(seed, total, d > u);
            }
        }
        return total;
    }

    /** The secret {@code kind} of {@code owner} from the first threshold of its revealed shares, by holder id. */
    private static byte[] reconstruct(SecAggServer server, int owner, String kind, Map<Integer, UnmaskResponse> responses,
                                      Map<List<Integer>, BigInteger[]> lagrange) {
        int t = server.parameters().threshold();
        List<Integer> holders = new ArrayList<>(t);
        byte[][] values = new byte[t][];
        for (UnmaskResponse r : responses.values()) {
            List<RevealedShare> shares = SecretKind.SELF_MASK.equals(kind) ? r.selfMaskShares() : r.maskKeyShares();
            for (RevealedShare s : shares) {
                if (s.owner() == owner && holders.size() < t) {
                    values[holders.size()] = s.value();
                    holders.add(r.client());
                }
            }
        }
        if (holders.size() < t) {
            throw new SecAggException(server.prefix() + holders.size() + " verified shares of the " + kind + " of client "
                    + owner + " from the " + responses.size() + " clients that answered the unmasking round (expected: at least"
                    + " the threshold " + t + ")");
        }
        int[] ids = holders.stream().mapToInt(Integer::intValue).toArray();
        BigInteger[] coefficients = lagrange.computeIfAbsent(holders, h -> Shamir.lagrangeAtZero(ids));
        return Shamir.reconstruct(coefficients, values, ids);
    }

    /** The reconstructed mask key must be the one whose public half {@code owner} advertised. */
    private static void check(SecAggServer server, int owner, PrivateKey key, byte[] advertisedPublic) {
        try {
            byte[] derived = X25519.agree(key, X25519.publicKey(BASE_POINT));
            if (!Arrays.equals(derived, advertisedPublic)) {
                throw new SecAggException(server.prefix() + "the mask key of client " + owner
                        + " reconstructed from its shares does not match the public key it advertised");
            }
        } catch (InvalidKeyException e) {
            throw new IllegalStateException("X25519 refused its own base point", e);
        }
    }

    private static byte[] basePoint() {
        byte[] b = new byte[X25519.KEY_BYTES];
        b[0] = 9;
        return b;
    }
}
