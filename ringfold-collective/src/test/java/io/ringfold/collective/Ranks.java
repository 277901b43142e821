package io.ringfold.collective;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Runs one body per rank, each on its own thread, and collects results or failures by rank. */
final class Ranks {

    /** What one rank does with its communicator. */
    interface Body<T> {
        T run(Communicator c) throws Exception;
    }

    /** The outcome of one rank: a value or the exception it threw, and how long it took. */
    record Outcome<T>(T value, Throwable error, long nanos) {
        T get() {
            if (error != null) {
                throw new AssertionError("rank failed: " + error, error);
            }
            return value;
        }
    }

    private Ranks() {
    }

    /** Runs {@code body} on every communicator in parallel; fails the test if any rank hangs past 120 s. */
    static <T> List<Outcome<T>> run(List<Communicator> comms, Body<T> body) {
        ExecutorService pool = Executors.newFixedThreadPool(comms.size());
        try {
            List<Future<Outcome<T>>> futures = new ArrayList<>();
            for (Communicator c : comms) {
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    try {
                        return new Outcome<T>(body.run(c), null, System.nanoTime() - t0);
                    } catch (Throwable e) {
                        return new Outcome<T>(null, e, System.nanoTime() - t0);
                    }
                }));
            }
            List<Outcome<T>> out = new ArrayList<>();
            for (Future<Outcome<T>> f : futures) {
                out.add(f.get(120, TimeUnit.SECONDS));
            }
            return out;
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new AssertionError("a rank hung or the runner failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Like {@link #run} but every rank must succeed; returns the values by rank. */
    static <T> List<T> all(List<Communicator> comms, Body<T> body) {
        List<T> values = new ArrayList<>();
        for (Outcome<T> o : run(comms, body)) {
            values.add(o.get());
        }
        return values;
    }
}
