package io.ringfold.serving.repository;

import io.ringfold.model.Model;
import io.ringfold.serving.batching.BatchObserver;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.batching.DynamicBatcher;
import io.ringfold.serving.batching.InferenceJob;
import io.ringfold.serving.inference.Outputs;
import io.ringfold.serving.inference.RowDecoder;
import io.ringfold.serving.inference.Signature;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded version of a model with its batcher. Requests {@link #acquire()} it before use and
 * {@link #release()} it when their response is ready; {@link #retire()} stops new acquisitions and shuts
 * the batcher down once the last in-flight request has released it, so a reload never cuts a request off.
 */
public final class ServedVersion {

    private static final int WARM_PREDICTIONS = 2000;
    private static final long WARM_MILLIS = 2000;

    private final String model;
    private final long version;
    private final Model value;
    private final Signature signature;
    private final RowDecoder decoder;
    private final DynamicBatcher batcher;
    private final Blas blas;
    private final ServingMetrics.Series metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean retired;

    ServedVersion(String model, long version, Model value, BatchingConfig batching, Blas blas, ServingMetrics.Series metrics) {
        this.model = model;
        this.version = version;
        this.value = value;
        this.signature = Signature.of(value);
        this.decoder = new RowDecoder(value, signature);
        this.metrics = metrics;
        this.blas = blas;
        this.batcher = new DynamicBatcher(model + "-" + version, value, batching, blas, new BatchObserver() {
            @Override
            public void batch(int rows, int requests, long computeNanos) {
                metrics.batch(rows, computeNanos);
            }

            @Override
            public void queued(long queueNanos) {
                metrics.queued(queueNanos);
            }
        });
    }

    public String modelName() {
        return model;
    }

    public long version() {
        return version;
    }

    public Model model() {
        return value;
    }

    public Signature signature() {
        return signature;
    }

    public RowDecoder decoder() {
        return decoder;
    }

    public ServingMetrics.Series metrics() {
        return metrics;
    }

    /** Requests waiting in this version's queue now. */
    public int queued() {
        return batcher.queued();
    }

    public BatchingConfig batching() {
        return batcher.config();
    }

    /** True (and counted in flight) unless retired; a true answer must be followed by {@link #release()}. */
    public boolean acquire() {
        inFlight.incrementAndGet();
        if (retired) {
            release();
            return false;
        }
        return true;
    }

    public void release() {
        if (inFlight.decrementAndGet() == 0 && retired) {
            shutdownBatcher();
        }
    }

    public boolean isRetired() {
        return retired;
    }

    /** Stops new acquisitions; the batcher ends once in-flight requests have released this version. */
    void retire() {
        retired = true;
        if (inFlight.get() == 0) {
            shutdownBatcher();
        }
    }

    /** Waits up to {@code millis} for the batcher's workers to end (after retirement). */
    boolean awaitReleased(long millis) throws InterruptedException {
        return batcher.awaitTermination(millis);
    }

    private void shutdownBatcher() {
        if (released.compareAndSet(false, true)) {
            batcher.shutdown();
        }
    }

    /** One prediction on a zero row, through the batcher, before the version takes traffic; throws if it fails. */
    void warm() {
        int width = value.network().inputSize();
        if (!acquire()) {
            throw new IllegalStateException("warm-up: version retired before it served");
        }
        try {
            Outputs out = infer(new float[width], 1).get(30, TimeUnit.SECONDS);
            float v = signature.classifier() ? out.probabilities(0)[0] : out.value(0);
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("warm-up prediction: " + v + " (expected: a finite number)");
            }
            compileThePredictionPath(width);
        } catch (ExecutionException ex) {
            throw new IllegalStateException("warm-up prediction failed: " + ex.getCause(), ex.getCause());
        } catch (TimeoutException ex) {
            throw new IllegalStateException("warm-up prediction: no answer within 30 s", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("warm-up prediction interrupted", ex);
        } finally {
            release();
        }
    }

    /**
     * Runs predictions of one row and of a full batch, off the request path and outside the metrics, until the
     * JIT has compiled the kernels: in a fresh JVM a model's first thousand predictions took 0.9 s against
     * 20 ms once compiled (bench/RESULTS.md, "Batch invariance"). Bounded by {@value #WARM_PREDICTIONS}
     * predictions and {@value #WARM_MILLIS} ms; once one version has run it, the next ones finish at once.
     */
    private void compileThePredictionPath(int width) {
        FloatMatrix one = new FloatMatrix(1, width);
        FloatMatrix batch = new FloatMatrix(Math.min(64, batcher.config().maxBatchSize()), width);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WARM_MILLIS);
        for (int i = 0; i < WARM_PREDICTIONS && System.nanoTime() < deadline; i++) {
            value.predictPreprocessed(blas, i % 16 == 15 ? batch : one);
        }
    }

    /**
     * Queues {@code rowCount} decoded rows (from {@link #decoder()}); the caller holds an {@link #acquire()}.
     *
     * @throws io.ringfold.serving.batching.QueueFullException when the queue is full
     */
    public CompletableFuture<Outputs> infer(float[] rows, int rowCount) {
        InferenceJob job = new InferenceJob(rows, rowCount);
        batcher.submit(job);
        return job.result().thenApply(out -> new Outputs(value, out));
    }
}
