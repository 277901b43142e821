package io.ringfold.parallel;

import io.ringfold.collective.CollectiveException;
import io.ringfold.collective.Communicator;
import io.ringfold.collective.InProcessGroup;
import io.ringfold.tensor.Blas;
import io.ringfold.train.Fitter;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;

import java.time.Duration;
import java.util.function.IntFunction;

/**
 * Data-parallel training with worker threads in this JVM ({@code train --workers N}): one thread per
 * rank over an {@link InProcessGroup}, all sharing one single-threaded-per-call BLAS. A worker that
 * fails closes its communicator, so the others fail at their next collective instead of waiting for the
 * deadline; the first worker's own error (not the others' consequential collective errors) is rethrown.
 */
public final class WorkerThreads {

    private WorkerThreads() {
    }

    public static Fitter fitter(TrainingConfig config, Blas blas, int workers, int shards, Duration timeout) {
        return fitter(config, blas, workers, shards, timeout, CheckpointPolicy.none());
    }

    public static Fitter fitter(TrainingConfig config, Blas blas, int workers, int shards, Duration timeout,
                                CheckpointPolicy checkpoints) {
        return fitter(new DataParallelTrainer(config, blas, shards), workers, timeout, checkpoints);
    }

    /** Worker threads running {@code trainer} (exact or float32 mode). */
    public static Fitter fitter(DataParallelTrainer trainer, int workers, Duration timeout, CheckpointPolicy checkpoints) {
        if (workers <= 0) {
            throw new IllegalArgumentException("workers: " + workers + " (expected: > 0)");
        }
        return (net, x, y, w, xVal, yVal, listener) -> {
            InProcessGroup group = new InProcessGroup(workers, timeout);
            return runRanks(workers, r -> "ringfold-worker-" + r, "training workers", rank -> {
                Communicator comm = group.communicator(rank);
                try {
                    return trainer.fit(comm, net, x, y, w, xVal, yVal,
                            rank == 0 ? listener : TrainingListener.NONE, checkpoints);
                } finally {
                    // After a failure this wakes the other ranks at once; after a normal finish it
                    // cannot disturb a peer still leaving the last collective (that point tripped).
                    comm.close();
                }
            });
        };
    }

    /** One rank's work on its thread. */
    interface RankBody {
        TrainingResult run(int rank) throws Exception;
    }

    /**
     * Runs {@code body} for ranks 0..size-1, each on its own thread named {@code name(rank)}, waits for all, and
     * rethrows the first worker's own error ({@link #rethrowFirst}); returns rank 0's result.
     */
    static TrainingResult runRanks(int size, IntFunction<String> name, String what, RankBody body) {
        TrainingResult[] results = new TrainingResult[size];
        Throwable[] errors = new Throwable[size];
        Thread[] threads = new Thread[size];
        for (int r = 0; r < size; r++) {
            int rank = r;
            threads[r] = new Thread(() -> {
                try {
                    results[rank] = body.run(rank);
                } catch (Throwable e) {
                    errors[rank] = e;
                }
            }, name.apply(r));
            threads[r].start();
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + what, e);
            }
        }
        rethrowFirst(errors);
        return results[0];
    }

    /**
     * Rethrows the first worker's own error, preferring any other error to the collective failures that a
     * failed worker causes in the others; returns when there is none.
     */
    static void rethrowFirst(Throwable[] errors) {
        Throwable first = null;
        for (Throwable e : errors) {
            if (e != null && (first == null || first instanceof CollectiveException && !(e instanceof CollectiveException))) {
                first = e;
            }
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
        if (first != null) {
            throw new IllegalStateException(first);
        }
    }
}
