package io.ringfold.jobs;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Where a job's training runs: worker threads in the service ({@code local}), worker processes started by
 * {@code launch}, a Spark cluster, or an Indexed Job on Kubernetes.
 */
public enum Engine {
    LOCAL("local"),
    LAUNCH("launch"),
    SPARK("spark"),
    KUBERNETES("kubernetes");

    private final String id;

    Engine(String id) {
        this.id = id;
    }

    /** The name in job specs, the API, the CLI's {@code --engine} and the database. */
    public String id() {
        return id;
    }

    /** The engine with this id, or IllegalArgumentException naming the ids there are. */
    public static Engine fromId(String id) {
        for (Engine e : values()) {
            if (e.id.equals(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException("engine: " + Names.quote(id) + " (expected: one of "
                + Arrays.stream(values()).map(Engine::id).collect(Collectors.joining(", ")) + ")");
    }
}
