package io.ringfold.tensor;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small fixed pool of daemon threads for splitting one BLAS call into parts. The calling thread runs
 * part 0 itself, so {@code threads} parts use {@code threads - 1} pool threads. Parts must write
 * disjoint outputs; the call returns when all parts are done.
 */
final class BlasThreadPool {

    /** One part of a split call; {@code part} is in {@code [0, parts)}. */
    @FunctionalInterface
    interface Part {
        void run(int part, int parts);
    }

    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final long IDLE_SECONDS = 30;

    private final int threads;
    private final ExecutorService workers;

    BlasThreadPool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        this.threads = threads;
        if (threads == 1) {
            this.workers = null;
        } else {
            int pool = POOLS.incrementAndGet();
            AtomicInteger counter = new AtomicInteger();
            ThreadPoolExecutor executor = new ThreadPoolExecutor(threads - 1, threads - 1,
                    IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                        Thread t = new Thread(r, "ringfold-blas-" + pool + "-" + counter.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            // Idle threads exit, so a discarded VectorBlas does not keep threads alive for ever.
            executor.allowCoreThreadTimeOut(true);
            this.workers = executor;
        }
    }

    int threads() {
        return threads;
    }

    /** Runs {@code parts} parts (at most {@link #threads()}), the first on the calling thread. */
    void run(int parts, Part task) {
        if (parts == 1 || workers == null) {
            for (int p = 0; p < parts; p++) {
                task.run(p, parts);
            }
            return;
        }
        Future<?>[] pending = new Future<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int part = p;
            pending[p - 1] = workers.submit(() -> task.run(part, parts));
        }
        Throwable failure = null;
        try {
            task.run(0, parts);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        // Wait for every part even after a failure or an interrupt: they write into the caller's arrays.
        boolean interrupted = false;
        for (Future<?> f : pending) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause();
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure instanceof RuntimeException re) {
            throw re;
        }
        if (failure instanceof Error err) {
            throw err;
        }
        if (failure != null) {
            throw new IllegalStateException("BLAS worker failed", failure);
        }
    }
}
