package io.ringfold.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one worker of a pipeline did in one epoch: its stage (layers {@code [fromLayer, toLayer)} of the network,
 * {@code parameters} of them) and data-parallel replica, seconds computing
 * (forward, backward, optimizer), seconds waiting for its neighbouring stages' activations and gradients
 * (transfers), seconds in the gradient exchange with its stage's replicas (collectives), the bubble (the
 * fraction of the forward-backward phase it waited for a neighbour; GPipe's analysis gives (K-1)/(M+K-1) for K
 * equal stages and M micro-batches), bytes it sent and the highest heap use seen at the end of a step's
 * forward-backward phase (when activations and gradients are all held).
 */
public record StageTelemetry(int epoch, int rank, int stage, int replica, int fromLayer, int toLayer,
                             long parameters, double computeSeconds,
                             double transferSeconds, double collectiveSeconds, double bubbleFraction, long bytesSent,
                             long peakHeapBytes) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Values per worker in the array that carries telemetry to rank 0. */
    public static final int FIELDS = 11;

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("epoch", epoch);
        n.put("rank", rank);
        n.put("stage", stage);
        n.put("replica", replica);
        n.put("from_layer", fromLayer);
        n.put("to_layer", toLayer);
        n.put("parameters", parameters);
        n.put("compute_seconds", computeSeconds);
        n.put("transfer_seconds", transferSeconds);
        n.put("collective_seconds", collectiveSeconds);
        n.put("bubble_fraction", bubbleFraction);
        n.put("bytes_sent", bytesSent);
        n.put("peak_heap_bytes", peakHeapBytes);
        return n;
    }

    /** The record {@link #toJson} wrote. */
    public static StageTelemetry fromJson(com.fasterxml.jackson.databind.JsonNode n) {
        return new StageTelemetry(n.path("epoch").asInt(), n.path("rank").asInt(), n.path("stage").asInt(),
                n.path("replica").asInt(), n.path("from_layer").asInt(), n.path("to_layer").asInt(),
                n.path("parameters").asLong(), n.path("compute_seconds").asDouble(), n.path("transfer_seconds").asDouble(),
                n.path("collective_seconds").asDouble(), n.path("bubble_fraction").asDouble(),
                n.path("bytes_sent").asLong(), n.path("peak_heap_bytes").asLong());
    }

    public String describe() {
        return String.format("stage %d replica %d (rank %d, layers %d..%d, %,d parameters): compute %.2f s, transfers %.2f s, collectives %.2f s, "
                        + "bubble %.1f%%, sent %,d bytes, peak heap %,d MiB", stage, replica, rank, fromLayer, toLayer - 1,
                parameters, computeSeconds,
                transferSeconds, collectiveSeconds, 100 * bubbleFraction, bytesSent, peakHeapBytes >> 20);
    }
}
