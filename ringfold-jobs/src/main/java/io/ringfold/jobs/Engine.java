package io.ringfold.jobs;

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
        return Names.byId("engine", id, values(), Engine::id);
    }
}
