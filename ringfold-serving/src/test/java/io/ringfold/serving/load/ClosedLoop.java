package io.ringfold.serving.load;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client threads that each send one request at a time until stopped or refused, counting every outcome:
 * successes, failures (with their causes) and clients that ended at a refused connection.
 */
abstract class ClosedLoop implements AutoCloseable {

    private final Thread[] threads;
    volatile boolean stop;
    public final AtomicLong ok = new AtomicLong();
    public final AtomicInteger refusedClients = new AtomicInteger();
    public final Queue<String> failures = new ConcurrentLinkedQueue<>();

    ClosedLoop(int clients) {
        threads = new Thread[clients];
    }

    /** Starts the threads; a subclass calls it last in its constructor. */
    final void start(String name) {
        for (int i = 0; i < threads.length; i++) {
            int client = i;
            threads[i] = new Thread(() -> run(client), name + "-" + i);
            threads[i].setDaemon(true);
            threads[i].start();
        }
    }

    /** One client's loop: requests until {@link #stop}, or return at a refused connection. */
    abstract void run(int client);

    /** Waits until {@code n} requests have succeeded; false when {@code within} passes first. */
    public boolean awaitOk(long n, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (ok.get() < n) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    /** Waits for every client to end on its own (a refused connection); false when {@code within} passes first. */
    public boolean join(Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        for (Thread t : threads) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            t.join(Math.max(1, left / 1_000_000));
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    /** Stops every client after its current request. */
    @Override
    public void close() {
        stop = true;
    }
}
