package io.ringfold.serving.batching;

import io.ringfold.serving.core.UnavailableException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs the jobs of one model version in batches. A bounded queue feeds {@code workers} threads; one
 * worker at a time forms a batch (holding {@code collectLock}): it takes the oldest job, then waits until
 * that job has been queued {@code maxQueueDelayMicros} or the batch holds {@code maxBatchSize} rows, and
 * releases the lock to compute while the next worker forms the next batch. The wait is adaptive: it
 * happens only while another worker is computing. With every worker idle, more rows could only come
 * from new clients, and a lone client would pay the whole delay for nothing (measured: p50 706 µs
 * against 122 µs), so the batch runs with what is queued. A job that would overflow the
 * batch heads the next one, so order is kept and no job waits longer than its
 * delay plus one compute. With batching off a worker takes one job and runs it at once.
 *
 * <p>With batching off, a job whose estimated compute time is below {@code inlineMaxNanos} (default
 * {@link #INLINE_MAX_NANOS}, 250 µs) runs on the submitting thread instead: for a model that computes in
 * a microsecond, the two thread hand-offs (to a worker and back) cost more than the model itself, and a
 * computation moved to a worker that had gone idle runs slower there. The
 * estimate is an exponentially weighted mean of the measured compute time per row, fed by every
 * computation (the version's warm-up prediction, queued jobs and inline ones); until the first one has
 * been measured, jobs queue. A slow model (or a large request) keeps queueing, so it never holds an event
 * loop. With batching on every job queues: rows can only meet in the queue.
 *
 * <p>Jobs are validated before they are submitted, so a batch holds only well-formed rows: one bad request
 * cannot fail the others. Batching changes no answer: a row's outputs have the same bits whatever rows it
 * is batched with (the backends' batch functions are batch invariant). {@link #shutdown()} refuses new jobs and lets the workers finish the queued ones.
 */
public final class DynamicBatcher<I, O> {

    /**
     * Computes one batch: {@code jobs} in queue order, {@code rows} rows in all; returns one output per job, in
     * the same order. Runs on a worker thread, or on the submitting thread for an inline job.
     */
    @FunctionalInterface
    public interface BatchFunction<I, O> {
        List<O> apply(List<I> inputs, int rows);
    }


    private static final System.Logger LOG = System.getLogger(DynamicBatcher.class.getName());

    /**
     * Longest estimated compute (per request) that runs on the submitting thread with batching off. Below it
     * the hand-off to a worker would cost a quarter or more of the request (it costs tens of microseconds:
     * the worker's wake-up, and a computation slower on a core that had gone idle), while holding an event
     * loop this long delays its other connections by no more than reading a JSON request of some 15,000 numbers does.
     */
    public static final long INLINE_MAX_NANOS = 250_000;
    /** No compute measured yet: nothing runs inline. */
    private static final long UNKNOWN = -1;

    private final String name;
    private final BatchFunction<I, O> function;
    private final BatchingConfig config;
    private final BatchObserver observer;
    private final ArrayBlockingQueue<InferenceJob<I, O>> queue;
    private final ReentrantLock collectLock = new ReentrantLock();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean shuttingDown;
    /** Workers computing a batch now: waiting for more rows pays only while this is above zero. */
    private final AtomicInteger computing = new AtomicInteger();
    /** A job taken from the queue that did not fit the last batch; guarded by collectLock. */
    private InferenceJob<I, O> carry;
    private final long inlineMaxNanos;
    /** Mean compute nanos per row (weight 1/8 to the newest), or UNKNOWN; races between writers only lose a sample. */
    private volatile long nanosPerRow = UNKNOWN;
    /** Jobs computing on their submitting thread now: shutdown waits for them as for the workers. */
    private final AtomicInteger inline = new AtomicInteger();

    public DynamicBatcher(String name, BatchFunction<I, O> function, BatchingConfig config, BatchObserver observer) {
        this(name, function, config, observer, INLINE_MAX_NANOS);
    }

    /** @param inlineMaxNanos see {@link #INLINE_MAX_NANOS}; 0 queues every job */
    public DynamicBatcher(String name, BatchFunction<I, O> function, BatchingConfig config, BatchObserver observer,
                          long inlineMaxNanos) {
        if (inlineMaxNanos < 0) {
            throw new IllegalArgumentException("inlineMaxNanos: " + inlineMaxNanos + " (expected: >= 0)");
        }
        this.inlineMaxNanos = inlineMaxNanos;
        this.name = name;
        this.function = function;
        this.config = config;
        this.observer = observer;
        this.queue = new ArrayBlockingQueue<>(config.maxQueueSize());
        for (int i = 0; i < config.workers(); i++) {
            Thread t = new Thread(this::work, "batch-" + name + "-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
    }

    public BatchingConfig config() {
        return config;
    }

    /** Requests waiting now. */
    public int queued() {
        return queue.size();
    }

    /**
     * Queues {@code job}; its {@link InferenceJob#result()} completes on a worker thread, or before this
     * returns when the job runs inline (batching off, a fast model: see the class comment).
     *
     * @throws QueueFullException    when {@code maxQueueSize} jobs are waiting
     * @throws UnavailableException after {@link #shutdown()}
     */
    public void submit(InferenceJob<I, O> job) {
        if (shuttingDown) {
            throw new UnavailableException(name + ": batcher shut down (expected: a loaded version)");
        }
        if (runsInline(job.rowCount)) {
            inline.incrementAndGet();
            try {
                // Checked again after counting: a shutdown that missed this job's count sees shuttingDown here.
                if (shuttingDown) {
                    throw new UnavailableException(name + ": batcher shut down (expected: a loaded version)");
                }
                compute(List.of(job), job.rowCount);
            } finally {
                inline.decrementAndGet();
            }
            return;
        }
        if (!queue.offer(job)) {
            throw new QueueFullException(name, config.maxQueueSize());
        }
    }

    private boolean runsInline(int rows) {
        long perRow = nanosPerRow;
        return !config.enabled() && perRow != UNKNOWN && perRow * rows < inlineMaxNanos;
    }

    /** The mean compute time per row measured so far, in nanoseconds; -1 before the first computation. */
    public long computeNanosPerRow() {
        return nanosPerRow;
    }

    /** Refuses new jobs; the workers finish the queued ones, then end. */
    public void shutdown() {
        shuttingDown = true;
    }

    /**
     * Waits up to {@code millis} for the workers to end, and for jobs computing inline to finish, after
     * {@link #shutdown()}; true if they all did.
     */
    public boolean awaitTermination(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Thread t : workers) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                return !t.isAlive() && inline.get() == 0;
            }
            t.join(left);
        }
        // Inline jobs last under INLINE_MAX_NANOS as estimated: polling them is cheaper than a condition on the hot path.
        while (inline.get() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return workers.stream().noneMatch(Thread::isAlive) && inline.get() == 0;
    }

    private void work() {
        List<InferenceJob<I, O>> batch = new ArrayList<>();
        try {
            while (true) {
                batch.clear();
                int rows = collect(batch);
                if (rows == 0) {
                    if (shuttingDown && queue.isEmpty() && !hasCarry()) {
                        return;
                    }
                    continue;
                }
                run(batch, rows);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            for (InferenceJob<I, O> j : batch) {
                j.result.completeExceptionally(e);
            }
        }
    }

    private boolean hasCarry() {
        collectLock.lock();
        try {
            return carry != null;
        } finally {
            collectLock.unlock();
        }
    }

    /** Fills {@code batch}; returns its row count, 0 when nothing arrived within the poll interval. */
    private int collect(List<InferenceJob<I, O>> batch) throws InterruptedException {
        collectLock.lockInterruptibly();
        try {
            // The poll interval bounds how long a worker takes to notice shutdown.
            InferenceJob<I, O> first = carry;
            carry = null;
            if (first == null) {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            }
            if (first == null) {
                return 0;
            }
            batch.add(first);
            int rows = first.rowCount;
            if (!config.enabled()) {
                return rows;
            }
            long deadline = first.submittedNanos + TimeUnit.MICROSECONDS.toNanos(config.maxQueueDelayMicros());
            while (rows < config.maxBatchSize()) {
                InferenceJob<I, O> next = queue.peek();
                if (next == null) {
                    long wait = deadline - System.nanoTime();
                    if (wait <= 0 || shuttingDown || computing.get() == 0) {
                        break;
                    }
                    next = queue.poll(wait, TimeUnit.NANOSECONDS);
                    if (next == null) {
                        break;
                    }
                    if (rows + next.rowCount > config.maxBatchSize()) {
                        // Out of the queue already: it heads the next batch.
                        carry = next;
                        break;
                    }
                } else {
                    if (rows + next.rowCount > config.maxBatchSize()) {
                        break;
                    }
                    queue.poll();
                }
                batch.add(next);
                rows += next.rowCount;
            }
            return rows;
        } finally {
            collectLock.unlock();
        }
    }

    private void run(List<InferenceJob<I, O>> batch, int rows) {
        computing.incrementAndGet();
        try {
            compute(batch, rows);
        } finally {
            computing.decrementAndGet();
        }
    }

    private void measured(long perRow) {
        long old = nanosPerRow;
        nanosPerRow = old == UNKNOWN ? perRow : old + (perRow - old) / 8;
    }

    private void compute(List<InferenceJob<I, O>> batch, int rows) {
        long start = System.nanoTime();
        List<I> inputs = new ArrayList<>(batch.size());
        for (InferenceJob<I, O> j : batch) {
            observer.queued(start - j.submittedNanos);
            inputs.add(j.input);
        }
        try {
            List<O> outputs = function.apply(inputs, rows);
            long nanos = System.nanoTime() - start;
            observer.batch(rows, batch.size(), nanos);
            measured(nanos / rows);
            if (outputs.size() != batch.size()) {
                throw new IllegalStateException(name + ": " + outputs.size() + " outputs for a batch of " + batch.size()
                        + " requests (expected: one each)");
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result.complete(outputs.get(i));
            }
        } catch (RuntimeException | Error e) {
            if (e instanceof Error) {
                LOG.log(System.Logger.Level.ERROR, name + ": a batch of " + rows + " rows failed", e);
            }
            for (InferenceJob<I, O> j : batch) {
                j.result.completeExceptionally(e);
            }
        }
    }
}
