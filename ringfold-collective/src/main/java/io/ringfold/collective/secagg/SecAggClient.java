package io.ringfold.collective.secagg;

import io.ringfold.collective.secagg.SecAggMessage.AdvertiseKeys;
import io.ringfold.collective.secagg.SecAggMessage.EncryptedShare;
import io.ringfold.collective.secagg.SecAggMessage.KeysAdvertised;
import io.ringfold.collective.secagg.SecAggMessage.MaskedInput;
import io.ringfold.collective.secagg.SecAggMessage.RevealedShare;
import io.ringfold.collective.secagg.SecAggMessage.ShareKeys;
import io.ringfold.collective.secagg.SecAggMessage.SharesDelivered;
import io.ringfold.collective.secagg.SecAggMessage.UnmaskRequest;
import io.ringfold.collective.secagg.SecAggMessage.UnmaskResponse;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * One client's side of secure aggregation (Bonawitz et al., "Practical Secure Aggregation for
 * Privacy-Preserving Machine Learning", CCS 2017; the honest-but-curious variant, without the signatures
 * and consistency round of the actively secure one), as a state machine: each method takes the server's
 * message of one round and returns this client's answer, in the order {@link #advertiseKeys},
 * {@link #shareKeys}, {@link #maskedInput}, {@link #unmask}. It sends nothing itself: the caller carries the
 * messages. A server message this client must not act on (another session, fewer clients than the
 * threshold, a request to reveal what would expose its input, a second request) throws
 * {@link SecAggException}, which ends this client's part and nobody else's.
 *
 * <p>The masked input is {@code y = x + PRG(b) + sum over v > u of PRG(s_uv) - sum over v < u of PRG(s_uv)}
 * modulo 2^64, with b this client's fresh self-mask seed and s_uv the seed agreed with client v; both b and
 * the mask private key are Shamir-shared among the clients, so the server can remove the masks of a client
 * that drops out (from its key) and of one that stays (from its seed), never both.
 */
public final class SecAggClient {

    private final SecAggParameters parameters;
    private final int id;
    private final SecureRandom random;
    private final SessionCrypto crypto;
    private final KeyPair encryptionKeys;
    private final KeyPair maskKeys;
    private Stage stage = Stage.ADVERTISE_KEYS;
    /** Round 0's clients (U1) and their keys, by id. */
    private final Map<Integer, AdvertiseKeys> keys = new TreeMap<>();
    private byte[] selfMaskSeed;
    /** Round 1's clients (U2), whose shares were delivered here, mapped to the decrypted shares (null if refused). */
    private final Map<Integer, byte[]> held = new TreeMap<>();
    private final Map<Integer, String> refusals = new LinkedHashMap<>();
    /** Pairwise encryption keys by peer, made in round 1 and used again to open the delivered shares. */
    private final Map<Integer, byte[]> encryptionKeyCache = new TreeMap<>();

    /** A client with id {@code id}; {@code random} makes its keys, seeds and shares (a {@link SecureRandom} in production). */
    public SecAggClient(SecAggParameters parameters, int id, SecureRandom random) {
        if (!parameters.invited(id)) {
            throw new IllegalArgumentException("client id: " + id + " (expected: one of the " + parameters.clients().size()
                    + " invited clients)");
        }
        this.parameters = parameters;
        this.id = id;
        this.random = random;
        this.crypto = new SessionCrypto(parameters.session());
        this.encryptionKeys = X25519.generate(random);
        this.maskKeys = X25519.generate(random);
    }

    public int id() {
        return id;
    }

    /** The next round this client takes part in. */
    public Stage stage() {
        return stage;
    }

    /** Round 0: this client's public keys. */
    public AdvertiseKeys advertiseKeys() {
        enter(Stage.ADVERTISE_KEYS, "advertiseKeys");
        stage = Stage.SHARE_KEYS;
        return new AdvertiseKeys(parameters.session(), id, X25519.publicBytes(encryptionKeys.getPublic()),
                X25519.publicBytes(maskKeys.getPublic()));
    }

    /** Round 1: shares of this client's self-mask seed and mask key for every client of {@code advertised}, encrypted to each. */
    public ShareKeys shareKeys(KeysAdvertised advertised) {
        enter(Stage.SHARE_KEYS, "shareKeys");
        checkSession(advertised.session(), "KeysAdvertised");
        Set<String> distinct = new HashSet<>();
        for (AdvertiseKeys k : advertised.keys()) {
            if (!parameters.invited(k.client()) || keys.put(k.client(), k) != null) {
                throw fail("KeysAdvertised names client " + k.client() + (keys.containsKey(k.client()) ? " twice"
                        : ", which is not invited") + " (expected: distinct invited clients)");
            }
            if (!distinct.add(Arrays.toString(k.encryptionKey())) || !distinct.add(Arrays.toString(k.maskKey()))) {
                throw fail("KeysAdvertised repeats a public key of client " + k.client() + " (expected: distinct keys)");
            }
        }
        AdvertiseKeys mine = keys.get(id);
        if (mine == null || !Arrays.equals(mine.encryptionKey(), X25519.publicBytes(encryptionKeys.getPublic()))
                || !Arrays.equals(mine.maskKey(), X25519.publicBytes(maskKeys.getPublic()))) {
            throw fail("KeysAdvertised " + (mine == null ? "lacks this client" : "carries other keys for this client")
                    + " (expected: the keys it advertised)");
        }
        checkCount(keys.size(), "KeysAdvertised");
        int[] holders = keys.keySet().stream().mapToInt(Integer::intValue).toArray();
        selfMaskSeed = new byte[Shamir.SECRET_BYTES];
        random.nextBytes(selfMaskSeed);
        byte[][] seedShares = Shamir.split(selfMaskSeed, parameters.threshold(), holders, random);
        byte[][] keyShares = Shamir.split(X25519.privateBytes(maskKeys.getPrivate()), parameters.threshold(), holders, random);
        List<EncryptedShare> out = new ArrayList<>(holders.length);
        for (int h = 0; h < holders.length; h++) {
            int v = holders[h];
            byte[] key = pairwise(v, true);
            byte[] plaintext = new byte[SessionCrypto.PLAINTEXT_BYTES];
            System.arraycopy(seedShares[h], 0, plaintext, 0, Shamir.ELEMENT_BYTES);
            System.arraycopy(keyShares[h], 0, plaintext, Shamir.ELEMENT_BYTES, Shamir.ELEMENT_BYTES);
            out.add(new EncryptedShare(id, v, crypto.encrypt(key, id, v, plaintext, random),
                    crypto.commitment(SecretKind.SELF_MASK, id, v, seedShares[h]),
                    crypto.commitment(SecretKind.MASK_KEY, id, v, keyShares[h])));
        }
        stage = Stage.MASKED_INPUT;
        return new ShareKeys(parameters.session(), id, out);
    }

    /**
     * Round 2: {@code input} masked, with the pairwise masks of every client whose shares were delivered.
     * A delivered share that fails authentication is refused (see {@link #refusals()}) and named in the
     * answer; the masks still include its sender, whom the server then removes as a dropped client.
     */
    public MaskedInput maskedInput(SharesDelivered delivered, long[] input) {
        enter(Stage.MASKED_INPUT, "maskedInput");
        checkSession(delivered.session(), "SharesDelivered");
        if (delivered.recipient() != id) {
            throw fail("SharesDelivered addressed to client " + delivered.recipient() + " (expected: " + id + ")");
        }
        if (input.length != parameters.vectorLength()) {
            throw new IllegalArgumentException("input: " + input.length + " elements (expected: vectorLength "
                    + parameters.vectorLength() + ")");
        }
        for (EncryptedShare s : delivered.shares()) {
            if (!keys.containsKey(s.from()) || s.to() != id || held.containsKey(s.from())) {
                throw fail("SharesDelivered carries a share from client " + s.from() + " to client " + s.to()
                        + " (expected: one share per client of round 0, addressed to " + id + ")");
            }
            held.put(s.from(), open(s));
        }
        if (!held.containsKey(id) || held.get(id) == null) {
            throw fail("SharesDelivered lacks this client's own share (expected: it, since this client completed round 1)");
        }
        checkCount(held.size(), "SharesDelivered");
        long[] y = input.clone();
        MaskGenerator prg = new MaskGenerator();
        prg.apply(selfMaskSeed, y, false);
        for (int v : held.keySet()) {
            if (v != id) {
                prg.apply(pairwise(v, false), y, v < id);
            }
        }
        stage = Stage.UNMASKING;
        return new MaskedInput(parameters.session(), id, y, new ArrayList<>(refusals.keySet()));
    }

    /**
     * Round 3: this client's shares of the survivors' self-mask seeds and of the others' mask keys. Refused
     * (with {@link SecAggException}) unless the survivors are clients of round 1, include this client and
     * reach the threshold; asked once only, so the server never gets both secrets of one client from it.
     */
    public UnmaskResponse unmask(UnmaskRequest request) {
        enter(Stage.UNMASKING, "unmask");
        checkSession(request.session(), "UnmaskRequest");
        Set<Integer> survivors = new HashSet<>();
        for (int u : request.survivors()) {
            if (!held.containsKey(u) || !survivors.add(u)) {
                throw fail("UnmaskRequest names client " + u + (held.containsKey(u) ? " twice" : ", which did not share keys")
                        + " (expected: distinct clients of round 1)");
            }
        }
        if (!survivors.contains(id)) {
            throw fail("UnmaskRequest counts this client as dropped (expected: among the survivors, since it is asked)");
        }
        checkCount(survivors.size(), "UnmaskRequest");
        stage = Stage.DONE;
        List<RevealedShare> seeds = new ArrayList<>();
        List<RevealedShare> maskKeys = new ArrayList<>();
        for (Map.Entry<Integer, byte[]> e : held.entrySet()) {
            byte[] plaintext = e.getValue();
            if (plaintext == null) {
                continue;
            }
            if (survivors.contains(e.getKey())) {
                seeds.add(new RevealedShare(e.getKey(), Arrays.copyOfRange(plaintext, 0, Shamir.ELEMENT_BYTES)));
            } else {
                maskKeys.add(new RevealedShare(e.getKey(),
                        Arrays.copyOfRange(plaintext, Shamir.ELEMENT_BYTES, SessionCrypto.PLAINTEXT_BYTES)));
            }
        }
        return new UnmaskResponse(parameters.session(), id, seeds, maskKeys);
    }

    /** The senders whose delivered shares this client refused, with the reason. */
    public Map<Integer, String> refusals() {
        return java.util.Collections.unmodifiableMap(refusals);
    }

    /** The decrypted share, or null (and a refusal) when it fails authentication. */
    private byte[] open(EncryptedShare s) {
        try {
            byte[] plaintext = crypto.decrypt(pairwise(s.from(), true), s.from(), id, s.ciphertext());
            if (plaintext.length != SessionCrypto.PLAINTEXT_BYTES) {
                throw new GeneralSecurityException(plaintext.length + " bytes of shares (expected: "
                        + SessionCrypto.PLAINTEXT_BYTES + ")");
            }
            return plaintext;
        } catch (GeneralSecurityException e) {
            refusals.put(s.from(), "client " + id + ": the share from client " + s.from() + " failed authentication ("
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
            return null;
        }
    }

    /** The pairwise encryption key (or mask seed) of this client and client {@code v}. */
    private byte[] pairwise(int v, boolean encryption) {
        AdvertiseKeys theirs = keys.get(v);
        try {
            if (encryption) {
                byte[] key = encryptionKeyCache.get(v);
                if (key == null) {
                    key = crypto.encryptionKey(encryptionKeys.getPrivate(), X25519.publicKey(theirs.encryptionKey()));
                    encryptionKeyCache.put(v, key);
                }
                return key;
            }
            return crypto.maskSeed(maskKeys.getPrivate(), X25519.publicKey(theirs.maskKey()));
        } catch (InvalidKeyException e) {
            throw fail("the public key of client " + v + " is a point of small order (expected: a key the server checked)");
        }
    }

    private void enter(Stage expected, String method) {
        if (stage != expected) {
            throw fail(method + " in stage " + stage + " (expected: " + expected + "; each round is answered once, in order)");
        }
    }

    private void checkSession(long session, String what) {
        if (session != parameters.session()) {
            throw fail(what + " of session " + session + " (expected: " + parameters.session() + ")");
        }
    }

    private void checkCount(int count, String what) {
        if (count < parameters.threshold()) {
            throw fail(what + " names " + count + " clients (expected: at least the threshold " + parameters.threshold()
                    + " of " + parameters.clients().size() + " invited)");
        }
    }

    private SecAggException fail(String what) {
        stage = Stage.DONE;
        return new SecAggException("secure aggregation session " + parameters.session() + ", client " + id + ": " + what);
    }
}
