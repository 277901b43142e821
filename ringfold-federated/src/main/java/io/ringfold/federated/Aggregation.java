package io.ringfold.federated;

/**
 * How the coordinator combines a round's updates. Both average the clients' parameter deltas weighted by their
 * examples (McMahan et al., 2017); FedProx (Li et al., 2020) adds a proximal term {@code mu/2 ||w - w_global||^2}
 * to each client's local loss, which keeps clients with very different data from drifting apart.
 */
public enum Aggregation {
    FEDAVG("fedavg"),
    FEDPROX("fedprox");

    private final String id;

    Aggregation(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Aggregation parse(String s) {
        for (Aggregation a : values()) {
            if (a.id.equals(s)) {
                return a;
            }
        }
        throw new IllegalArgumentException("aggregation: " + s + " (expected: fedavg or fedprox)");
    }
}
