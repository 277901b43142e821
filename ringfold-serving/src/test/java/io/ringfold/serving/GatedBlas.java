package io.ringfold.serving;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.PackedMatrix;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real BLAS behind a gate: while closed, every matrix product waits (predictions go through
 * {@link Blas#sgemmRowInvariant}), so tests can hold a batch in compute and fill queues deterministically
 * instead of racing the workers.
 */
public final class GatedBlas implements Blas {

    private final Blas inner = Blas.get();
    private final AtomicInteger waiting = new AtomicInteger();
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicReference<Error> failNext = new java.util.concurrent.atomic.AtomicReference<>();

    /** The next product that passes the gate throws {@code e} instead of computing. */
    public void failNext(Error e) {
        failNext.set(e);
    }

    public void close() {
        closed = true;
    }

    public void open() {
        closed = false;
        synchronized (this) {
            notifyAll();
        }
    }

    /** Callers blocked at the gate now. */
    public int waiting() {
        return waiting.get();
    }

    /** Waits until {@code n} callers are blocked at the gate (at most 10 s). */
    public void awaitWaiting(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (waiting.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("gate: " + waiting.get() + " waiting after 10 s (expected: " + n + ")");
            }
            Thread.sleep(1);
        }
    }

    private void pass() {
        Error fail = failNext.getAndSet(null);
        if (fail != null) {
            throw fail;
        }
        if (!closed) {
            return;
        }
        waiting.incrementAndGet();
        try {
            synchronized (this) {
                while (closed) {
                    wait();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            waiting.decrementAndGet();
        }
    }

    @Override
    public String name() {
        return "gated " + inner.name();
    }

    @Override
    public void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, float beta, float[] c, int cOff, int ldc) {
        pass();
        inner.sgemm(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    @Override
    public void sgemmRowInvariant(int m, float[] a, int aOff, int lda, PackedMatrix b, float[] c, int cOff, int ldc) {
        pass();
        inner.sgemmRowInvariant(m, a, aOff, lda, b, c, cOff, ldc);
    }

    @Override
    public void sgemv(boolean transA, int m, int n, float alpha, float[] a, int aOff, int lda, float[] x, int xOff,
                      float beta, float[] y, int yOff) {
        pass();
        inner.sgemv(transA, m, n, alpha, a, aOff, lda, x, xOff, beta, y, yOff);
    }

    @Override
    public void saxpy(int n, float alpha, float[] x, int xOff, float[] y, int yOff) {
        inner.saxpy(n, alpha, x, xOff, y, yOff);
    }

    @Override
    public float sdot(int n, float[] x, int xOff, float[] y, int yOff) {
        return inner.sdot(n, x, xOff, y, yOff);
    }
}
