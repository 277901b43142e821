package io.ringfold.collective.secagg;

import java.util.List;

/**
 * The messages of the protocol, as plain values for any transport to carry ({@link SecAggCodec} turns them
 * into bytes and back). Client messages ({@link ClientMessage}) go to the server; the others go from the
 * server to clients. Arrays are not copied: a sender must not change them after handing a message over.
 * Every message carries the session of its {@link SecAggParameters}.
 */
public sealed interface SecAggMessage {

    long session();

    /** A message a client sends to the server, in the {@link #stage()} it belongs to. */
    sealed interface ClientMessage extends SecAggMessage {
        int client();

        Stage stage();
    }

    /** Round 0, client to server: the client's two X25519 public keys (32 raw bytes each). */
    record AdvertiseKeys(long session, int client, byte[] encryptionKey, byte[] maskKey) implements ClientMessage {
        @Override
        public Stage stage() {
            return Stage.ADVERTISE_KEYS;
        }
    }

    /** Round 0, server to every client that advertised: all advertised keys, in client order. */
    record KeysAdvertised(long session, List<AdvertiseKeys> keys) implements SecAggMessage {
        public KeysAdvertised {
            keys = List.copyOf(keys);
        }
    }

    /**
     * One client's Shamir shares of its self-mask seed and its mask private key for one other client,
     * AES-GCM encrypted under their pairwise encryption key ({@code ciphertext} = nonce, shares, tag), with
     * the SHA-256 commitments to each share in the clear: they hide the shares (uniform field elements) and
     * let the server check a share that is revealed to it later.
     */
    record EncryptedShare(int from, int to, byte[] ciphertext, byte[] selfMaskCommitment, byte[] maskKeyCommitment) {
    }

    /** Round 1, client to server: one encrypted share for every client of {@link KeysAdvertised}, itself included. */
    record ShareKeys(long session, int client, List<EncryptedShare> shares) implements ClientMessage {
        public ShareKeys {
            shares = List.copyOf(shares);
        }

        @Override
        public Stage stage() {
            return Stage.SHARE_KEYS;
        }
    }

    /** Round 1, server to one client: the shares addressed to it by every client that completed round 1. */
    record SharesDelivered(long session, int recipient, List<EncryptedShare> shares) implements SecAggMessage {
        public SharesDelivered {
            shares = List.copyOf(shares);
        }
    }

    /**
     * Round 2, client to server: the masked input, and the clients whose delivered share failed
     * authentication here (the server excludes them).
     */
    record MaskedInput(long session, int client, long[] masked, List<Integer> refusedSenders) implements ClientMessage {
        public MaskedInput {
            refusedSenders = List.copyOf(refusedSenders);
        }

        @Override
        public Stage stage() {
            return Stage.MASKED_INPUT;
        }
    }

    /**
     * Round 2, server to every survivor: the clients whose masked inputs are in the sum. The others of round 1
     * count as dropped: their mask keys are revealed, never their self masks.
     */
    record UnmaskRequest(long session, List<Integer> survivors) implements SecAggMessage {
        public UnmaskRequest {
            survivors = List.copyOf(survivors);
        }
    }

    /** One Shamir share held by the sender, of a secret of client {@code owner} (66 bytes). */
    record RevealedShare(int owner, byte[] value) {
    }

    /** Round 3, client to server: its shares of the survivors' self-mask seeds and of the dropped clients' mask keys. */
    record UnmaskResponse(long session, int client, List<RevealedShare> selfMaskShares, List<RevealedShare> maskKeyShares)
            implements ClientMessage {
        public UnmaskResponse {
            selfMaskShares = List.copyOf(selfMaskShares);
            maskKeyShares = List.copyOf(maskKeyShares);
        }

        @Override
        public Stage stage() {
            return Stage.UNMASKING;
        }
    }
}
