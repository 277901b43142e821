package io.ringfold.collective;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Ranks that are threads of one JVM, communicating through shared memory: a collective call publishes
 * the caller's buffer, waits (with the deadline) for every rank to arrive, and each rank then reduces
 * its own slice of the elements reading the others' buffers directly, with no copies through sockets.
 * Reductions add ranks in order 0..size-1, so a given group size always gives the same bits.
 *
 * <p>All waiting happens on this object's monitor, so a failure (timeout, mismatch, close) wakes every
 * waiting rank at once and each of them reports the same first cause.
 */
public final class InProcessGroup {

    private final int size;
    private final Duration timeout;
    private final Object[] buffers;
    private final int[] offsets;
    private final String[] signatures;
    /** The generation (synchronisation point number) at which each rank last arrived. */
    private final long[] arrivedAt;
    private final List<InProcessCommunicator> members = new ArrayList<>();
    /** Each rank's slots for the in-place collectives. */
    private final InProcessSlots[] slots;
    /** mailboxes[from * size + to]: messages sent and not yet received, guarded by this. */
    private final ArrayDeque<float[]>[] mailboxes;
    /** Groups that {@link Communicator#split} is forming, by the split's call number and color; guarded by this. */
    private final java.util.Map<String, Forming> forming = new java.util.HashMap<>();
    private volatile long generation;
    private int waiting;
    private volatile CollectiveException failure;
    /**
     * The synchronisation point (generation) at which {@link #failure} was recorded. A rank whose point
     * tripped before that (a peer closed the group after leaving the last collective) completed normally.
     */
    private long failedAt = Long.MAX_VALUE;

    @SuppressWarnings("unchecked")
    public InProcessGroup(int size, Duration timeout) {
        if (size <= 0) {
            throw new IllegalArgumentException("size: " + size + " (expected: > 0)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        this.size = size;
        this.timeout = timeout;
        this.buffers = new Object[size];
        this.offsets = new int[size];
        this.signatures = new String[size];
        this.arrivedAt = new long[size];
        java.util.Arrays.fill(arrivedAt, -1);
        this.mailboxes = new ArrayDeque[size * size];
        for (int i = 0; i < mailboxes.length; i++) {
            mailboxes[i] = new ArrayDeque<>();
        }
        this.slots = new InProcessSlots[size];
        for (int r = 0; r < size; r++) {
            slots[r] = new InProcessSlots();
            members.add(new InProcessCommunicator(this, r));
        }
    }

    /** The communicator of {@code rank}; hand each to the thread that plays that rank. */
    public Communicator communicator(int rank) {
        if (rank < 0 || rank >= size) {
            throw new IllegalArgumentException("rank: " + rank + " (expected: 0.." + (size - 1) + ")");
        }
        return members.get(rank);
    }

    int size() {
        return size;
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * The first synchronisation point of call {@code seq}: publishes this rank's buffer and signature
     * and waits for all ranks. The last rank to arrive checks that every rank made the same call, under
     * the lock, before anyone can overwrite its signature with the next call's.
     */
    void arrive(int rank, long seq, String signature, Object buffer, int offset) {
        synchronized (this) {
            buffers[rank] = buffer;
            offsets[rank] = offset;
            signatures[rank] = signature;
        }
        // No rank can start its next call (and overwrite its slot) before this point completes, and the
        // last rank to arrive compares the signatures under the lock.
        await(rank, seq, signature);
    }

    /**
     * How long a rank spins, without the lock, before it waits on the monitor. Ranks on cores of their
     * own arrive within microseconds; a monitor wait costs a context switch each time, which with two
     * or three synchronisation points per allreduce dominated small collectives.
     *
     * <p>Not followed by a phase of yielding, although a yielding waiter resumes sooner (12-18 µs against
     * 70-73 µs after a wait past the spin, measured): this project's VM has periods in which two worker
     * threads run at about one worker's speed, and in those a waiter that kept its CPU busy made them
     * slower still, as if it took the CPU from the worker it waited for (0.56-0.70 s per epoch against
     * 0.55-0.57 when blocking; bench/RESULTS.md).
     */
    private static final long SPIN_NANOS = Long.getLong("ringfold.collective.spinNanos", 50_000L);

    /** A barrier with the deadline; on expiry names the ranks that had not arrived at this point. */
    void await(int rank, long seq, String what) {
        long gen;
        synchronized (this) {
            throwIfFailed();
            gen = generation;
            arrivedAt[rank] = gen;
            if (++waiting == size) {
                waiting = 0;
                checkSignatures(seq);
                generation++;
                notifyAll();
                throwIfFailed();
                return;
            }
        }
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (generation == gen && failure == null && System.nanoTime() < spinUntil) {
            Thread.onSpinWait();
        }
        synchronized (this) {
            waitForTrip(rank, seq, what, gen);
        }
    }

    private void waitForTrip(int rank, long seq, String what, long gen) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (generation == gen && failure == null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                List<Integer> missing = new ArrayList<>();
                for (int r = 0; r < size; r++) {
                    if (arrivedAt[r] != gen) {
                        missing.add(r);
                    }
                }
                fail(new CollectiveException(what + " #" + seq + " on rank " + rank + "/" + size + ": timed out after "
                        + timeout.toMillis() + " ms waiting for rank" + (missing.size() == 1 ? " " : "s ")
                        + missing.toString().replace("[", "").replace("]", "") + " (threads of this process)"));
            }
            try {
                wait(Math.max(1, left / 1_000_000), 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(new CollectiveException(what + " #" + seq + " on rank " + rank + "/" + size + ": interrupted", e));
            }
        }
        if (generation != gen && failedAt > gen) {
            return; // this point tripped; a later failure (e.g. a peer closing afterwards) is not this call's
        }
        throwIfFailed();
    }

    /** Called by the last rank to arrive, with the lock held. */
    private void checkSignatures(long seq) {
        String first = signatures[0];
        for (int r = 1; r < size; r++) {
            if (first != null && signatures[r] != null && !signatures[r].equals(first)) {
                failedAt = generation;
                failure = new CollectiveException(first + " #" + seq + " on rank 0/" + size + ": rank " + r
                        + " called " + signatures[r] + " #" + seq + " (expected: the same call on every rank)");
                return;
            }
        }
    }

    private void throwIfFailed() {
        if (failure != null) {
            throw new CollectiveException(failure.getMessage(), failure);
        }
    }

    /** Records the first failure of the group, wakes every waiting rank and throws. */
    synchronized void fail(CollectiveException e) {
        if (failure == null) {
            failedAt = generation;
            failure = e;
        }
        notifyAll();
        throwIfFailed();
    }

    synchronized void throwIfBroken() {
        throwIfFailed();
    }

    Object buffer(int rank) {
        return buffers[rank];
    }

    int offset(int rank) {
        return offsets[rank];
    }

    InProcessSlots slots(int rank) {
        return slots[rank];
    }

    synchronized void post(int from, int to, float[] message) {
        throwIfFailed();
        mailboxes[from * size + to].add(message);
        notifyAll();
    }

    /** The next message from {@code from} to {@code to}, waiting up to the deadline. */
    synchronized float[] take(int from, int to, String what) {
        ArrayDeque<float[]> box = mailboxes[from * size + to];
        long deadline = System.nanoTime() + timeout.toNanos();
        while (box.isEmpty()) {
            throwIfFailed();
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                fail(new CollectiveException(what + " on rank " + to + "/" + size + ": timed out after "
                        + timeout.toMillis() + " ms waiting for rank " + from + " (a thread of this process)"));
            }
            try {
                wait(Math.max(1, left / 1_000_000), 0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(new CollectiveException(what + " on rank " + to + "/" + size + ": interrupted", e));
            }
        }
        return box.poll();
    }

    /** A group being formed by a split, until each of its members has taken its communicator. */
    private static final class Forming {
        final InProcessGroup group;
        int taken;

        Forming(InProcessGroup group) {
            this.group = group;
        }
    }

    /**
     * The group of {@code size} ranks that the split call {@code seq} forms for {@code color}: every member
     * thread gets the same one, created by the first to ask, with this group's deadline.
     */
    synchronized InProcessGroup subgroup(long seq, int color, int size) {
        String key = seq + "/" + color;
        Forming f = forming.computeIfAbsent(key, k -> new Forming(new InProcessGroup(size, timeout)));
        if (++f.taken == size) {
            forming.remove(key);
        }
        return f.group;
    }

    synchronized void close(int rank) {
        if (failure == null) {
            failedAt = generation;
            failure = new CollectiveException("rank " + rank + "/" + size + " closed the group");
        }
        notifyAll();
    }
}
