package io.ringfold.collective;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What every implementation of {@link Communicator#split} shares: what each rank tells the others over the
 * parent (its color and key, and where a new group can reach it), and the membership every rank derives
 * from that alike: the ranks of one color, ordered by (key, rank in the parent).
 *
 * @param color   the group this rank joins; >= 0
 * @param key     orders the ranks within the group; ties keep the parent's order
 * @param host    where this rank listens for the new group's connections (empty where none are needed)
 * @param port    with {@code host}
 * @param problem why this rank cannot join (empty when it can): then every rank fails alike
 */
record Split(int color, int key, String host, int port, String problem) {

    static void checkColor(int color) {
        if (color < 0) {
            throw new IllegalArgumentException("split: color " + color + " (expected: >= 0)");
        }
    }

    byte[] encode() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            d.writeInt(color);
            d.writeInt(key);
            d.writeUTF(host);
            d.writeInt(port);
            d.writeUTF(problem.length() > 4000 ? problem.substring(0, 4000) : problem);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array stream does not fail
        }
        return b.toByteArray();
    }

    static Split decode(byte[] bytes) {
        try (DataInputStream d = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return new Split(d.readInt(), d.readInt(), d.readUTF(), d.readInt(), d.readUTF());
        } catch (IOException e) {
            throw new CollectiveException("split: a rank sent " + bytes.length + " bytes that are not a split request ("
                    + CollectiveException.reason(e) + ")", e);
        }
    }

    /**
     * Every rank's request, from the parent's all-gather of {@link #encode()}; fails naming the first rank
     * that could not join, on every rank alike.
     */
    static Split[] all(byte[][] gathered, String who) {
        Split[] all = new Split[gathered.length];
        for (int q = 0; q < gathered.length; q++) {
            all[q] = decode(gathered[q]);
        }
        for (int q = 0; q < all.length; q++) {
            if (!all[q].problem.isEmpty()) {
                throw new CollectiveException(who + ": rank " + q + " could not join its new group: " + all[q].problem);
            }
        }
        return all;
    }

    /** The parent ranks of {@code color}'s group, in the order of their new ranks: by key, then parent rank. */
    static int[] members(Split[] all, int color) {
        List<Integer> m = new ArrayList<>();
        for (int q = 0; q < all.length; q++) {
            if (all[q].color == color) {
                m.add(q);
            }
        }
        m.sort(Comparator.<Integer>comparingInt(q -> all[q].key).thenComparingInt(q -> q));
        int[] out = new int[m.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = m.get(i);
        }
        return out;
    }

    /** The position of {@code rank} in {@code members}: its rank in the new group. */
    static int newRank(int[] members, int rank) {
        for (int i = 0; i < members.length; i++) {
            if (members[i] == rank) {
                return i;
            }
        }
        throw new IllegalStateException("rank " + rank + " is not among the members of its own color");
    }
}
