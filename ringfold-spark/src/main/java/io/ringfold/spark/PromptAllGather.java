package io.ringfold.spark;

import org.apache.spark.BarrierTaskContext;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * {@link BarrierTaskContext#allGather} without Spark's one-second polling. Spark 4.0's barrier call
 * sends its request to the driver's coordinator and then waits for the reply in a loop of
 * {@code Thread.sleep(1000)}; an interrupt of that sleep only makes it check whether the task was
 * killed, and wait again (BarrierTaskContext.runBarrier; Spark's own BarrierTaskContextSuite notes that
 * "all partitions sleep 1s exactly"). So every task but the last to arrive waits up to a second after
 * the reply came: with one all-gather per fit, most of a short fit.
 *
 * <p>Here a waker thread interrupts the waiting task thread every {@link #WAKE_NANOS}: each interrupt
 * ends one sleep, the loop sees the reply and returns. After the call the waker stops, a stray interrupt
 * flag is cleared, and a real kill (Spark records the reason before it interrupts) is still honoured.
 */
final class PromptAllGather {

    /** How often the waiting task is woken to look for the reply. */
    static final long WAKE_NANOS = 1_000_000L;

    private PromptAllGather() {
    }

    static String[] allGather(BarrierTaskContext ctx, String message) {
        Thread task = Thread.currentThread();
        AtomicBoolean done = new AtomicBoolean();
        Thread waker = new Thread(() -> {
            while (!done.get()) {
                LockSupport.parkNanos(WAKE_NANOS);
                if (!done.get()) {
                    task.interrupt();
                }
            }
        }, "ringfold-allgather-waker-" + ctx.partitionId());
        waker.setDaemon(true);
        waker.start();
        try {
            return ctx.allGather(message);
        } finally {
            done.set(true);
            LockSupport.unpark(waker);
            boolean joined = false;
            while (!joined) {
                try {
                    waker.join();
                    joined = true;
                } catch (InterruptedException e) {
                    // The waker's own last interrupt; it has stopped once join returns.
                }
            }
            Thread.interrupted();
            if (ctx.isInterrupted()) {
                throw new org.apache.spark.TaskKilledException(ctx.getKillReason().getOrElse(() -> "killed"));
            }
        }
    }
}
