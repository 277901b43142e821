package io.ringfold.collective;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Ranks that are threads of one JVM, communicating through shared memory: a collective call publishes
 * the caller's buffer, waits (with the deadline) for every rank to arrive, and each rank then reduces
 * its own slice of the elements reading the others' buffers directly, with no copies through sockets.
 * Reductions add ranks in order 0..size-1, so a given group size always gives the same bits.
 */
public final class InProcessGroup {

    private final int size;
    private final Duration timeout;
    private final CyclicBarrier barrier;
    private final Object[] buffers;
    private final int[] offsets;
    private final String[] signatures;
    /** Synchronisation points each rank has reached, to name the missing ranks on a timeout. */
    private final java.util.concurrent.atomic.AtomicLongArray arrived;
    private final AtomicReference<CollectiveException> failure = new AtomicReference<>();
    private final List<InProcessCommunicator> members = new ArrayList<>();
    private final java.util.Map<Long, java.util.concurrent.BlockingQueue<float[]>> mailboxes =
            new java.util.concurrent.ConcurrentHashMap<>();

    public InProcessGroup(int size, Duration timeout) {
        if (size <= 0) {
            throw new IllegalArgumentException("size: " + size + " (expected: > 0)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        this.size = size;
        this.timeout = timeout;
        this.barrier = new CyclicBarrier(size);
        this.buffers = new Object[size];
        this.offsets = new int[size];
        this.signatures = new String[size];
        this.arrived = new java.util.concurrent.atomic.AtomicLongArray(size);
        for (int r = 0; r < size; r++) {
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
     * One synchronisation point of call {@code seq}: publishes this rank's buffer and signature, waits
     * for all ranks, and checks that every rank made the same call.
     */
    void arrive(int rank, long seq, String signature, Object buffer, int offset) {
        buffers[rank] = buffer;
        offsets[rank] = offset;
        signatures[rank] = signature;
        await(rank, seq, signature);
        for (int r = 0; r < size; r++) {
            if (!signatures[r].equals(signature)) {
                fail(new CollectiveException(signature + " #" + seq + " on rank " + rank + "/" + size
                        + ": rank " + r + " called " + signatures[r] + " (expected: the same call on every rank)"));
            }
        }
    }

    /** A barrier with the deadline; on expiry names the ranks that had not arrived at this call. */
    void await(int rank, long seq, String what) {
        CollectiveException f = failure.get();
        if (f != null) {
            throw f;
        }
        long mine = arrived.incrementAndGet(rank);
        try {
            barrier.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            List<Integer> missing = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                if (arrived.get(r) < mine) {
                    missing.add(r);
                }
            }
            fail(new CollectiveException(what + " #" + seq + " on rank " + rank + "/" + size + ": timed out after "
                    + timeout.toMillis() + " ms waiting for rank" + (missing.size() == 1 ? " " : "s ")
                    + missing + " (threads of this process)"));
        } catch (BrokenBarrierException e) {
            CollectiveException first = failure.get();
            throw first != null ? first : new CollectiveException(what + " #" + seq + " on rank " + rank + "/" + size
                    + ": another rank failed or closed the group");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(new CollectiveException(what + " #" + seq + " on rank " + rank + "/" + size + ": interrupted", e));
        }
    }

    void fail(CollectiveException e) {
        failure.compareAndSet(null, e);
        barrier.reset();
        throw failure.get();
    }

    Object buffer(int rank) {
        return buffers[rank];
    }

    int offset(int rank) {
        return offsets[rank];
    }

    /** The queue of messages from {@code from} to {@code to}. */
    java.util.concurrent.BlockingQueue<float[]> mailbox(int from, int to) {
        return mailboxes.computeIfAbsent((long) from * size + to, k -> new java.util.concurrent.LinkedBlockingQueue<>());
    }

    CollectiveException failure() {
        return failure.get();
    }

    void close(int rank) {
        CollectiveException e = new CollectiveException("rank " + rank + "/" + size + " closed the group");
        failure.compareAndSet(null, e);
        barrier.reset();
    }
}
