package io.ringfold.federated;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened in one finished round: the clients sampled (in the sampler's order), those whose updates were
 * aggregated, those excluded with the reason, the examples aggregated, the time, the bytes sent and received,
 * the test accuracy when the coordinator has a test set (NaN otherwise), and the client-level ε spent after the
 * round (at the run's δ) when the run has client-level differential privacy (NaN otherwise).
 */
public record RoundRecord(int round, List<String> sampled, List<String> aggregated, Map<String, String> excluded,
                          long examples, double seconds, long bytesSent, long bytesReceived, double testAccuracy,
                          double dpEpsilon) {

    public RoundRecord {
        sampled = List.copyOf(sampled);
        aggregated = List.copyOf(aggregated);
        excluded = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(excluded));
    }

    /** The record of a round without client-level differential privacy. */
    public RoundRecord(int round, List<String> sampled, List<String> aggregated, Map<String, String> excluded,
                       long examples, double seconds, long bytesSent, long bytesReceived, double testAccuracy) {
        this(round, sampled, aggregated, excluded, examples, seconds, bytesSent, bytesReceived, testAccuracy, Double.NaN);
    }

    /** This record with the client-level ε spent after it. */
    public RoundRecord withDpEpsilon(double epsilon) {
        return new RoundRecord(round, sampled, aggregated, excluded, examples, seconds, bytesSent, bytesReceived,
                testAccuracy, epsilon);
    }

    public ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("round", round);
        sampled.forEach(n.putArray("sampled")::add);
        aggregated.forEach(n.putArray("aggregated")::add);
        ObjectNode ex = n.putObject("excluded");
        excluded.forEach(ex::put);
        n.put("examples", examples);
        n.put("seconds", seconds);
        n.put("bytes_sent", bytesSent);
        n.put("bytes_received", bytesReceived);
        if (!Double.isNaN(testAccuracy)) {
            n.put("test_accuracy", testAccuracy);
        }
        if (!Double.isNaN(dpEpsilon)) {
            n.put("dp_epsilon", dpEpsilon);
        }
        return n;
    }

    public static RoundRecord fromJson(JsonNode n) {
        Map<String, String> excluded = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.path("excluded").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            excluded.put(e.getKey(), e.getValue().asText());
        }
        return new RoundRecord(n.path("round").asInt(), strings(n.path("sampled")), strings(n.path("aggregated")),
                excluded, n.path("examples").asLong(), n.path("seconds").asDouble(), n.path("bytes_sent").asLong(),
                n.path("bytes_received").asLong(), n.has("test_accuracy") ? n.get("test_accuracy").asDouble() : Double.NaN,
                n.has("dp_epsilon") ? n.get("dp_epsilon").asDouble() : Double.NaN);
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(e -> out.add(e.asText()));
        return out;
    }

    /** One line for the log. */
    public String describe(int rounds) {
        return "round " + round + "/" + rounds + ": " + aggregated.size() + " of " + sampled.size() + " sampled clients "
                + "aggregated (" + examples + " examples)" + (excluded.isEmpty() ? "" : ", excluded " + excluded)
                + String.format(java.util.Locale.ROOT, ", %.2f s, %d bytes sent, %d received", seconds, bytesSent,
                bytesReceived) + (Double.isNaN(testAccuracy) ? "" : String.format(java.util.Locale.ROOT,
                ", test accuracy %.4f", testAccuracy)) + (Double.isNaN(dpEpsilon) ? ""
                : String.format(java.util.Locale.ROOT, ", client-level ε %.4f", dpEpsilon));
    }
}
