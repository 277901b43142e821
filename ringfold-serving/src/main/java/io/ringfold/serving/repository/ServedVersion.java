package io.ringfold.serving.repository;

import io.ringfold.serving.backend.Servable;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.core.UnavailableException;
import io.ringfold.serving.metrics.ServingMetrics;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One loaded version of a model with its batcher. Requests {@link #acquire()} it before use and
 * {@link #release()} it when their response is ready; {@link #retire()} stops new acquisitions and shuts
 * the backend down once the last in-flight request has released it, so a reload never cuts a request off.
 */
public final class ServedVersion {

    private final String model;
    private final long version;
    private final Servable servable;
    private final ServingMetrics.Series metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean retired;

    ServedVersion(String model, long version, Servable servable, ServingMetrics.Series metrics) {
        this.model = model;
        this.version = version;
        this.servable = servable;
        this.metrics = metrics;
    }

    public String modelName() {
        return model;
    }

    public long version() {
        return version;
    }

    /** The backend computing this version (a Ringfold model or an ONNX graph). */
    public Servable servable() {
        return servable;
    }

    public ModelSignature signature() {
        return servable.signature();
    }

    public ServingMetrics.Series metrics() {
        return metrics;
    }

    /** Requests waiting in this version's queue now. */
    public int queued() {
        return servable.queued();
    }

    public BatchingConfig batching() {
        return servable.batching();
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
            shutdownBackend();
        }
    }

    public boolean isRetired() {
        return retired;
    }

    /** Stops new acquisitions; the backend shuts down once in-flight requests have released this version. */
    void retire() {
        retired = true;
        if (inFlight.get() == 0) {
            shutdownBackend();
        }
    }

    /** Waits up to {@code millis} for the backend's queued requests to finish (after retirement). */
    boolean awaitReleased(long millis) throws InterruptedException {
        return servable.awaitTermination(millis);
    }

    private void shutdownBackend() {
        if (released.compareAndSet(false, true)) {
            servable.shutdown();
        }
    }

    /** Inference before the version takes traffic; throws if it fails. */
    void warm() {
        if (!acquire()) {
            throw new UnavailableException("warm-up: version retired before it served");
        }
        try {
            servable.warm();
        } finally {
            release();
        }
    }

    /**
     * Checks and queues {@code inputs}; the caller holds an {@link #acquire()}.
     *
     * @throws io.ringfold.serving.core.BadInputException   when the inputs do not fit the signature
     * @throws io.ringfold.serving.core.UnavailableException when the queue is full
     */
    public CompletableFuture<List<Tensor>> infer(List<Tensor> inputs) {
        return servable.infer(inputs);
    }
}
