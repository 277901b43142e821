package io.ringfold.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The multi-process rendezvous read from the environment, so that one container image runs as a Kubernetes
 * Indexed Job and under the Kubeflow training operator (PyTorchJob) without a wrapper script that turns
 * variables into {@code --rank/--world-size/--rendezvous}.
 *
 * <p>The variables, each pair in order of precedence (deploy/README.md, "Training on Kubernetes"):
 * <ul>
 *   <li>rank: {@code RANK} (torchrun, PyTorchJob), else {@code JOB_COMPLETION_INDEX} (set by Kubernetes in
 *       every pod of an Indexed Job);</li>
 *   <li>world size: {@code RINGFOLD_WORLD_SIZE}, else {@code WORLD_SIZE} (torchrun, PyTorchJob);</li>
 *   <li>rendezvous: {@code RINGFOLD_RENDEZVOUS} as {@code HOST:PORT}, else {@code MASTER_ADDR} with
 *       {@code MASTER_PORT} (torchrun, PyTorchJob).</li>
 * </ul>
 * Multi-process training is asked for when any of {@code RANK}, {@code WORLD_SIZE},
 * {@code RINGFOLD_WORLD_SIZE}, {@code MASTER_ADDR}, {@code MASTER_PORT} or {@code RINGFOLD_RENDEZVOUS} is set;
 * then all three must resolve. {@code JOB_COMPLETION_INDEX} alone asks for nothing: Kubernetes sets it in
 * every Indexed Job, also in one whose pods each train a model of their own.
 */
record RendezvousEnvironment(int rank, int worldSize, String rendezvous, List<String> variables) {

    static final String RANK = "RANK";
    static final String JOB_COMPLETION_INDEX = "JOB_COMPLETION_INDEX";
    static final String WORLD_SIZE = "WORLD_SIZE";
    static final String RINGFOLD_WORLD_SIZE = "RINGFOLD_WORLD_SIZE";
    static final String MASTER_ADDR = "MASTER_ADDR";
    static final String MASTER_PORT = "MASTER_PORT";
    static final String RINGFOLD_RENDEZVOUS = "RINGFOLD_RENDEZVOUS";

    private static final List<String> REQUESTS =
            List.of(RANK, WORLD_SIZE, RINGFOLD_WORLD_SIZE, MASTER_ADDR, MASTER_PORT, RINGFOLD_RENDEZVOUS);

    /**
     * The rendezvous the environment asks for, or empty when it asks for none.
     *
     * @throws IllegalArgumentException with one line naming the variable and what was expected, when the
     *     environment asks for multi-process training but a variable is missing or malformed
     */
    static Optional<RendezvousEnvironment> read(Function<String, String> environment) {
        Function<String, String> env = name -> {
            String value = environment.apply(name);
            return value == null || value.isBlank() ? null : value.strip();
        };
        if (REQUESTS.stream().allMatch(name -> env.apply(name) == null)) {
            return Optional.empty();
        }
        List<String> used = new ArrayList<>();

        String rankVariable = env.apply(RANK) != null ? RANK : env.apply(JOB_COMPLETION_INDEX) != null ? JOB_COMPLETION_INDEX : null;
        if (rankVariable == null) {
            throw new IllegalArgumentException(RANK + ": not set (expected: this worker's rank, or "
                    + JOB_COMPLETION_INDEX + " in an Indexed Job, with " + present(env) + ")");
        }
        int rank = integer(rankVariable, env.apply(rankVariable), 0, Integer.MAX_VALUE);
        used.add(rankVariable);

        String sizeVariable = env.apply(RINGFOLD_WORLD_SIZE) != null ? RINGFOLD_WORLD_SIZE
                : env.apply(WORLD_SIZE) != null ? WORLD_SIZE : null;
        if (sizeVariable == null) {
            throw new IllegalArgumentException(WORLD_SIZE + ": not set (expected: the number of workers, or "
                    + RINGFOLD_WORLD_SIZE + ", with " + present(env) + ")");
        }
        int worldSize = integer(sizeVariable, env.apply(sizeVariable), 1, Integer.MAX_VALUE);
        used.add(sizeVariable);
        if (rank >= worldSize) {
            throw new IllegalArgumentException(rankVariable + ": " + rank + " (expected: < " + sizeVariable + ", "
                    + worldSize + ")");
        }

        String rendezvous;
        if (env.apply(RINGFOLD_RENDEZVOUS) != null) {
            rendezvous = env.apply(RINGFOLD_RENDEZVOUS);
            try {
                io.ringfold.collective.TcpEndpoint.parse(rendezvous);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(RINGFOLD_RENDEZVOUS + ": " + e.getMessage(), e);
            }
            used.add(RINGFOLD_RENDEZVOUS);
        } else {
            String host = env.apply(MASTER_ADDR);
            String port = env.apply(MASTER_PORT);
            if (host == null) {
                throw new IllegalArgumentException(MASTER_ADDR + ": not set (expected: rank 0's host name, with "
                        + MASTER_PORT + ", or " + RINGFOLD_RENDEZVOUS + "=HOST:PORT)");
            }
            if (port == null) {
                throw new IllegalArgumentException(MASTER_PORT + ": not set (expected: the port rank 0 listens on, "
                        + "with " + MASTER_ADDR + " " + host + ")");
            }
            if (host.contains(":") && !host.startsWith("[")) {
                // An IPv6 literal, written HOST:PORT as TcpEndpoint reads it.
                host = "[" + host + "]";
            }
            rendezvous = host + ":" + integer(MASTER_PORT, port, 1, 65535);
            try {
                io.ringfold.collective.TcpEndpoint.parse(rendezvous);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(MASTER_ADDR + ": " + e.getMessage(), e);
            }
            used.add(MASTER_ADDR);
            used.add(MASTER_PORT);
        }
        return Optional.of(new RendezvousEnvironment(rank, worldSize, rendezvous, List.copyOf(used)));
    }

    /** The line train prints, so a pod's log says where its rank came from. */
    String describe() {
        return "rendezvous from the environment (" + String.join(", ", variables) + "): rank " + rank + " of "
                + worldSize + " at " + rendezvous;
    }

    private static int integer(String variable, String value, int min, int max) {
        String expected = max == 65535 ? "a port, " + min + ".." + max : "an integer >= " + min;
        try {
            long v = Long.parseLong(value);
            if (v < min || v > max) {
                throw new IllegalArgumentException(variable + ": " + value + " (expected: " + expected + ")");
            }
            return (int) v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + ": " + value + " (expected: " + expected + ")", e);
        }
    }

    /** The variables that asked for multi-process training, for the message about the one missing. */
    private static String present(Function<String, String> env) {
        List<String> set = new ArrayList<>();
        for (String name : REQUESTS) {
            if (env.apply(name) != null) {
                set.add(name);
            }
        }
        return String.join(", ", set) + " set";
    }
}
