package io.ringfold.collective;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * The synchronisation of one rank of a {@link SharedMemoryCommunicator}: the current call (its signature
 * and deadline), waiting for the peers' unit numbers, and the first failure. A wait spins for a few
 * microseconds (peers on cores of their own arrive that fast), then yields, then parks for growing
 * intervals up to 200 microseconds; between tries it checks the deadline, whether a rank it waits for has
 * failed or closed (its state in the segment), and every 100 ms whether that rank's process still lives.
 * A failure is recorded in this rank's state with its message, so that peers report the first cause.
 */
final class SharedWait {

    static final byte NONE = 0;
    static final byte FLOAT32 = 1;
    static final byte FLOAT64 = 2;
    static final byte INT64 = 3;
    static final byte BYTES = 4;

    /*
     * Ranks usually arrive within a step's load imbalance (tens to hundreds of microseconds apart). Yielding
     * keeps the waiter responsive and gives the core away whenever anything else (the late peer, on a
     * crowded machine) is runnable; parking only starts after milliseconds, in short intervals, because
     * the overshoot of a park (up to its length) is added to every collective that waits that long.
     */
    private static final long SPIN_NANOS = 20_000;
    private static final long YIELD_NANOS = 2_000_000;
    private static final long MAX_PARK_NANOS = 200_000;
    private static final long LIVENESS_NANOS = 100_000_000;

    private final SharedSegment seg;
    private final int rank;
    private final int size;
    /** "rank q (pid P@host)" for every rank. */
    private final String[] names;
    /** "pid P@host" for every rank. */
    private final String[] processes;
    private final long timeoutNanos;

    private long signature;
    private long count;
    private long seq;
    private long deadline;
    private volatile CollectiveException broken;
    private volatile boolean closed;

    SharedWait(SharedSegment seg, int rank, String[] processes, long timeoutNanos) {
        this.seg = seg;
        this.rank = rank;
        this.size = processes.length;
        this.processes = processes;
        this.names = new String[size];
        for (int q = 0; q < size; q++) {
            names[q] = "rank " + q + " (" + processes[q] + ")";
        }
        this.timeoutNanos = timeoutNanos;
    }

    static long signature(byte opcode, byte dtype, int op, int root) {
        return (opcode & 0xFFL) | (dtype & 0xFFL) << 8 | (op & 0xFFL) << 16 | (root & 0xFFFFFFFFL) << 32;
    }

    private static String describe(long signature, long count, long seq) {
        int opcode = (int) (signature & 0xFF);
        int dtype = (int) (signature >>> 8 & 0xFF);
        int op = (int) (signature >>> 16 & 0xFF);
        int root = (int) (signature >>> 32);
        String type = switch (dtype) {
            case FLOAT32 -> "float32";
            case FLOAT64 -> "float64";
            case INT64 -> "int64";
            case BYTES -> "bytes";
            default -> "type " + dtype;
        };
        String opName = op < ReduceOp.values().length ? ReduceOp.values()[op].name().toLowerCase() : "op " + op;
        return switch (opcode) {
            case 1 -> "allreduce #" + seq + " (" + type + " x " + count + ", " + opName + ")";
            case 2 -> "broadcast #" + seq + " (" + type + " x " + count + ", root " + root + ")";
            case 3 -> "barrier #" + seq;
            case 7 -> "reducescatter #" + seq + " (" + type + " x " + count + " per rank, " + opName + ")";
            case 8 -> "allgather #" + seq + " (" + type + " x " + count + " per rank)";
            default -> "operation " + opcode + " #" + seq;
        };
    }

    String call() {
        return describe(signature, count, seq) + " on rank " + rank + "/" + size + " (" + processes[rank] + ")";
    }

    void begin(long signature, long count, long seq) {
        throwIfBroken();
        this.signature = signature;
        this.count = count;
        this.seq = seq;
        this.deadline = System.nanoTime() + timeoutNanos;
    }

    void throwIfBroken() {
        CollectiveException b = broken;
        if (b != null) {
            throw new CollectiveException(b.getMessage(), b);
        }
    }

    CollectiveException broken() {
        return broken;
    }

    /** Writes the current call's signature for the unit that starts it. */
    void sign(long unit) {
        seg.setSignature(rank, unit, signature, count, seq);
    }

    /** After every rank reached {@code unit}, the first of a call: all must have made this call. */
    void checkSignatures(long unit) {
        for (int q = 0; q < size; q++) {
            long s = seg.signatureWord(q, unit, 0);
            long c = seg.signatureWord(q, unit, 1);
            long n = seg.signatureWord(q, unit, 2);
            if (s != signature || c != count || n != seq) {
                throw fail(call() + ": " + names[q] + " called " + describe(s, c, n)
                        + " (expected: the same call on every rank)", null);
            }
        }
    }

    /** Waits until every rank's unit number is at least {@code unit}, or fails naming the ranks waited for. */
    void await(long unit) {
        long start = System.nanoTime();
        long nextLiveness = start + LIVENESS_NANOS;
        long park = 20_000;
        int next = 0;
        while (true) {
            while (next < size && seg.counter(next) >= unit) {
                next++;
            }
            if (next == size) {
                return;
            }
            long now = System.nanoTime();
            if (now - start < SPIN_NANOS) {
                Thread.onSpinWait();
                continue;
            }
            if (closed) {
                throw fail(call() + ": this communicator was closed during the call", null);
            }
            if (Thread.currentThread().isInterrupted()) {
                throw fail(call() + ": interrupted", null); // parkNanos would return at once, a busy loop
            }
            for (int q = next; q < size; q++) {
                long state = seg.state(q);
                if (state != SharedSegment.STATE_OK && seg.counter(q) < unit) {
                    throw fail(call() + ": " + names[q] + (state == SharedSegment.STATE_CLOSED ? " closed its communicator"
                            : " failed: " + seg.message(q)), null);
                }
            }
            if (now - deadline >= 0) {
                throw fail(call() + ": timed out after " + timeoutNanos / 1_000_000 + " ms waiting for "
                        + missing(unit), null);
            }
            if (now - nextLiveness >= 0) {
                nextLiveness = now + LIVENESS_NANOS;
                for (int q = next; q < size; q++) {
                    Optional<ProcessHandle> p = ProcessHandle.of(seg.pid(q));
                    if (seg.counter(q) < unit && (p.isEmpty() || !p.get().isAlive())) {
                        throw fail(call() + ": " + names[q] + " died (its process is gone)", null);
                    }
                }
            }
            if (now - start < YIELD_NANOS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(Math.min(park, deadline - now));
                park = Math.min(MAX_PARK_NANOS, park * 2);
            }
        }
    }

    private String missing(long unit) {
        List<String> m = new ArrayList<>();
        for (int q = 0; q < size; q++) {
            if (seg.counter(q) < unit) {
                m.add(names[q].substring("rank ".length()));
            }
        }
        return (m.size() == 1 ? "rank " : "ranks ") + String.join(", ", m);
    }

    /** Marks this rank broken with its first cause, tells the peers through the segment, and returns the exception. */
    synchronized CollectiveException fail(String message, Throwable cause) {
        if (broken != null) {
            return new CollectiveException(broken.getMessage(), broken);
        }
        CollectiveException e = new CollectiveException(message, cause);
        broken = e;
        seg.setState(rank, SharedSegment.STATE_FAILED, message);
        return e;
    }

    /** Idempotent: the peers still waiting for this rank fail naming it. */
    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (broken == null) {
            String why = "rank " + rank + "/" + size + " (" + processes[rank] + ") closed its communicator";
            broken = new CollectiveException(why);
            seg.setState(rank, SharedSegment.STATE_CLOSED, why);
        }
    }
}
