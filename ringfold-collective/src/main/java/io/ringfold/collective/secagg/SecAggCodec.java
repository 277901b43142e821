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
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The messages as bytes, for a transport that carries bytes: a version byte (1), a type byte, the session,
 * then the fields in their record order, big-endian; arrays and lists are preceded by their int length.
 * {@link #decode} refuses an unknown version or type, a length beyond the bytes given and trailing bytes,
 * each with an {@link IllegalArgumentException} naming what it found; what it returns still goes through
 * the state machines' checks.
 */
public final class SecAggCodec {

    public static final byte VERSION = 1;

    private static final byte ADVERTISE_KEYS = 1;
    private static final byte KEYS_ADVERTISED = 2;
    private static final byte SHARE_KEYS = 3;
    private static final byte SHARES_DELIVERED = 4;
    private static final byte MASKED_INPUT = 5;
    private static final byte UNMASK_REQUEST = 6;
    private static final byte UNMASK_RESPONSE = 7;

    private SecAggCodec() {
    }

    public static byte[] encode(SecAggMessage m) {
        ByteBuffer b = ByteBuffer.allocate(size(m));
        b.put(VERSION);
        if (m instanceof AdvertiseKeys a) {
            b.put(ADVERTISE_KEYS).putLong(a.session());
            keys(b, a);
        } else if (m instanceof KeysAdvertised k) {
            b.put(KEYS_ADVERTISED).putLong(k.session()).putInt(k.keys().size());
            k.keys().forEach(a -> keys(b, a));
        } else if (m instanceof ShareKeys s) {
            b.put(SHARE_KEYS).putLong(s.session()).putInt(s.client());
            shares(b, s.shares());
        } else if (m instanceof SharesDelivered d) {
            b.put(SHARES_DELIVERED).putLong(d.session()).putInt(d.recipient());
            shares(b, d.shares());
        } else if (m instanceof MaskedInput y) {
            b.put(MASKED_INPUT).putLong(y.session()).putInt(y.client()).putInt(y.masked().length);
            b.asLongBuffer().put(y.masked());
            b.position(b.position() + y.masked().length * Long.BYTES);
            ints(b, y.refusedSenders());
        } else if (m instanceof UnmaskRequest r) {
            b.put(UNMASK_REQUEST).putLong(r.session());
            ints(b, r.survivors());
        } else {
            UnmaskResponse r = (UnmaskResponse) m;
            b.put(UNMASK_RESPONSE).putLong(r.session()).putInt(r.client());
            revealed(b, r.selfMaskShares());
            revealed(b, r.maskKeyShares());
        }
        return b.array();
    }

    /** The number of bytes {@link #encode} makes of {@code m}. */
    public static int size(SecAggMessage m) {
        int header = 2 + Long.BYTES;
        if (m instanceof AdvertiseKeys a) {
            return header + keysSize(a);
        } else if (m instanceof KeysAdvertised k) {
            int n = header + 4;
            for (AdvertiseKeys a : k.keys()) {
                n += keysSize(a);
            }
            return n;
        } else if (m instanceof ShareKeys s) {
            return header + 4 + sharesSize(s.shares());
        } else if (m instanceof SharesDelivered d) {
            return header + 4 + sharesSize(d.shares());
        } else if (m instanceof MaskedInput y) {
            return header + 8 + y.masked().length * Long.BYTES + 4 + 4 * y.refusedSenders().size();
        } else if (m instanceof UnmaskRequest r) {
            return header + 4 + 4 * r.survivors().size();
        }
        UnmaskResponse r = (UnmaskResponse) m;
        return header + 4 + revealedSize(r.selfMaskShares()) + revealedSize(r.maskKeyShares());
    }

    public static SecAggMessage decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            byte version = b.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("secure aggregation message: version " + version + " (expected: "
                        + VERSION + ")");
            }
            byte type = b.get();
            long session = b.getLong();
            SecAggMessage m = switch (type) {
                case ADVERTISE_KEYS -> keys(b, session);
                case KEYS_ADVERTISED -> {
                    int n = count(b, 4 + 8);
                    List<AdvertiseKeys> keys = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        keys.add(keys(b, session));
                    }
                    yield new KeysAdvertised(session, keys);
                }
                case SHARE_KEYS -> new ShareKeys(session, b.getInt(), shares(b));
                case SHARES_DELIVERED -> new SharesDelivered(session, b.getInt(), shares(b));
                case MASKED_INPUT -> {
                    int client = b.getInt();
                    long[] masked = new long[count(b, Long.BYTES)];
                    b.asLongBuffer().get(masked);
                    b.position(b.position() + masked.length * Long.BYTES);
                    yield new MaskedInput(session, client, masked, ints(b));
                }
                case UNMASK_REQUEST -> new UnmaskRequest(session, ints(b));
                case UNMASK_RESPONSE -> new UnmaskResponse(session, b.getInt(), revealed(b), revealed(b));
                default -> throw new IllegalArgumentException("secure aggregation message: type " + type
                        + " (expected: 1..7)");
            };
            if (b.hasRemaining()) {
                throw new IllegalArgumentException("secure aggregation message: " + b.remaining()
                        + " bytes after its end (expected: none)");
            }
            return m;
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("secure aggregation message: " + bytes.length
                    + " bytes, cut short (expected: the whole message)", e);
        }
    }

    private static void keys(ByteBuffer b, AdvertiseKeys a) {
        b.putInt(a.client());
        bytes(b, a.encryptionKey());
        bytes(b, a.maskKey());
    }

    private static AdvertiseKeys keys(ByteBuffer b, long session) {
        return new AdvertiseKeys(session, b.getInt(), bytes(b), bytes(b));
    }

    private static int keysSize(AdvertiseKeys a) {
        return 4 + 8 + a.encryptionKey().length + a.maskKey().length;
    }

    private static void shares(ByteBuffer b, List<EncryptedShare> shares) {
        b.putInt(shares.size());
        for (EncryptedShare e : shares) {
            b.putInt(e.from()).putInt(e.to());
            bytes(b, e.ciphertext());
            bytes(b, e.selfMaskCommitment());
            bytes(b, e.maskKeyCommitment());
        }
    }

    private static List<EncryptedShare> shares(ByteBuffer b) {
        int n = count(b, 8 + 12);
        List<EncryptedShare> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new EncryptedShare(b.getInt(), b.getInt(), bytes(b), bytes(b), bytes(b)));
        }
        return out;
    }

    private static int sharesSize(List<EncryptedShare> shares) {
        int n = 4;
        for (EncryptedShare e : shares) {
            n += 8 + 12 + e.ciphertext().length + e.selfMaskCommitment().length + e.maskKeyCommitment().length;
        }
        return n;
    }

    private static void revealed(ByteBuffer b, List<RevealedShare> shares) {
        b.putInt(shares.size());
        for (RevealedShare s : shares) {
            b.putInt(s.owner());
            bytes(b, s.value());
        }
    }

    private static List<RevealedShare> revealed(ByteBuffer b) {
        int n = count(b, 8);
        List<RevealedShare> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(new RevealedShare(b.getInt(), bytes(b)));
        }
        return out;
    }

    private static int revealedSize(List<RevealedShare> shares) {
        int n = 4;
        for (RevealedShare s : shares) {
            n += 8 + s.value().length;
        }
        return n;
    }

    private static void ints(ByteBuffer b, List<Integer> values) {
        b.putInt(values.size());
        for (int v : values) {
            b.putInt(v);
        }
    }

    private static List<Integer> ints(ByteBuffer b) {
        int n = count(b, 4);
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(b.getInt());
        }
        return out;
    }

    private static void bytes(ByteBuffer b, byte[] value) {
        b.putInt(value.length).put(value);
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[count(b, 1)];
        b.get(out);
        return out;
    }

    /** A length read from {@code b}, refused when its elements of at least {@code minBytes} each cannot fit in what is left. */
    private static int count(ByteBuffer b, int minBytes) {
        int n = b.getInt();
        if (n < 0 || (long) n * minBytes > b.remaining()) {
            throw new IllegalArgumentException("secure aggregation message: a length of " + n + " at byte "
                    + (b.position() - 4) + " (expected: 0.." + b.remaining() / minBytes + ", what the "
                    + b.remaining() + " bytes left can hold)");
        }
        return n;
    }
}
