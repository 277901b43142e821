package io.ringfold.serving.backend;

import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.Tensor;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One loaded model version as a backend computes it: a Ringfold model or an ONNX graph. The front ends know
 * only this contract and {@link Tensor}s, so every protocol serves every backend.
 */
public interface Servable {

    /** The inputs and outputs, as every protocol's metadata reports them. */
    ModelSignature signature();

    /**
     * Checks {@code inputs} against the signature, throwing {@link io.ringfold.serving.core.BadInputException}
     * naming the tensor before anything is queued, then computes every output (in signature order).
     *
     * @throws io.ringfold.serving.core.UnavailableException when the queue is full or the version shut down
     */
    CompletableFuture<List<Tensor>> infer(List<Tensor> inputs);

    /** Runs inferences before the version takes traffic; throws, naming why, when the model cannot compute. */
    void warm();

    /** Requests waiting in the queue now. */
    int queued();

    BatchingConfig batching();

    /** Refuses new requests; the queued ones finish. */
    void shutdown();

    /** Waits up to {@code millis} for the queued requests to finish after {@link #shutdown()}; true if they did. */
    boolean awaitTermination(long millis) throws InterruptedException;

    /** One line for the log: what was loaded. */
    String describe();

    /**
     * What the model file says of itself (an ONNX graph's producer, name, version and custom metadata), for the
     * model configuration and the dashboard; empty when it says nothing.
     */
    default Map<String, String> metadata() {
        return Map.of();
    }
}
