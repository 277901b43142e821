package io.ringfold.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one worker did over a training run: seconds computing (forward, backward, gradient
 * conversion, optimizer), seconds waiting inside collectives, and bytes it sent. A worker whose wait
 * time is small while the others wait long is the slow one.
 */
public record RankTelemetry(int rank, double computeSeconds, double waitSeconds, long bytesSent) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("rank", rank);
        n.put("compute_seconds", computeSeconds);
        n.put("wait_seconds", waitSeconds);
        n.put("bytes_sent", bytesSent);
        return n;
    }

    public String describe() {
        return String.format("rank %d: compute %.2f s, waiting %.2f s, sent %,d bytes", rank, computeSeconds,
                waitSeconds, bytesSent);
    }
}
