package io.ringfold.federated;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.Preprocessor;
import io.ringfold.federated.wire.FederatedException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A federated run's standardisation: the core's {@link Preprocessor} fitted from the clients' exact per-feature
 * totals ({@link StatisticsRound}), how many rows and which clients they came from. Every TASK carries it, so a
 * client standardises its rows before training (and a client that joins later, or after a restarted coordinator,
 * gets it too); the model stores it as its preprocessing, so served requests are raw rows as for a trained model.
 *
 * <p>It is written once, before round 1, as {@value #FILE_NAME} (format version {@value #VERSION}) beside the
 * round checkpoint, so a coordinator started with {@code --resume} reads it rather than asking the clients again.
 */
public record FederatedStandardisation(Preprocessor preprocessor, long rows, List<String> clients) {

    public static final String FILE_NAME = "federated-standardisation.json";
    static final int VERSION = 1;
    /** The TASK header's field. */
    static final String TASK_FIELD = "standardisation";
    private static final ObjectMapper JSON = new ObjectMapper();

    public FederatedStandardisation {
        java.util.Objects.requireNonNull(preprocessor, "preprocessor");
        clients = List.copyOf(clients);
        if (rows <= 0) {
            throw new IllegalArgumentException("rows: " + rows + " (expected: > 0)");
        }
    }

    public void save(Path dir) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("format_version", VERSION);
        n.put("rows", rows);
        clients.forEach(c -> n.withArray("clients").add(c));
        n.set("preprocessor", preprocessor.toJson());
        CheckpointFiles.writeAtomically(dir, FILE_NAME, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
    }

    /** The standardisation in {@code dir}, or empty when there is none; a damaged or unknown-version file fails naming it. */
    public static Optional<FederatedStandardisation> load(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            if (n.path("format_version").asInt(-1) != VERSION) {
                throw new IllegalArgumentException("format_version: " + n.get("format_version") + " (expected: "
                        + VERSION + ")");
            }
            List<String> clients = new ArrayList<>();
            n.path("clients").forEach(c -> clients.add(c.asText()));
            return Optional.of(new FederatedStandardisation(Preprocessor.fromJson(n.get("preprocessor")),
                    DataDescription.positive(n, "rows"), clients));
        } catch (IOException | RuntimeException e) {
            throw new IOException("federated standardisation " + file + ": " + e.getMessage()
                    + " (expected: a file written by ringfold federated coordinator)", e);
        }
    }

    /**
     * What a coordinator of {@code options} continues with: with {@code --resume}, the standardisation saved in the
     * checkpoint directory; null when there is none yet (to be fitted) or the run does not standardise.
     *
     * @param roundsDone whether the checkpoint holds finished rounds, which then were trained standardised
     */
    static FederatedStandardisation resumed(CoordinatorOptions options, boolean roundsDone) throws IOException {
        if (!options.config().standardize() || !options.resume()) {
            return null;
        }
        Optional<FederatedStandardisation> s = load(options.checkpointDir());
        if (s.isEmpty() && roundsDone) {
            throw new IllegalArgumentException("--resume: no " + FILE_NAME + " in " + options.checkpointDir()
                    + " (expected: the standardisation its rounds trained with; --no-standardize for a run without)");
        }
        return s.orElse(null);
    }

    /** Puts it into a TASK header. */
    void addTo(ObjectNode task) {
        task.set(TASK_FIELD, preprocessor.toJson());
    }

    /**
     * The standardisation a TASK carries for a client with {@code features}, or null when the run has none.
     *
     * @throws FederatedException when it is malformed or not a standardisation of exactly these columns
     */
    static Preprocessor fromTask(ObjectNode task, List<String> features) {
        JsonNode n = task.get(TASK_FIELD);
        if (n == null) {
            return null;
        }
        Preprocessor p;
        try {
            p = Preprocessor.fromJson(n);
        } catch (IllegalArgumentException e) {
            throw new FederatedException("TASK " + TASK_FIELD + ": " + e.getMessage());
        }
        if (!p.inputColumns().equals(features) || !p.outputColumns().equals(features) || !p.numeric()
                || !p.masks().isEmpty()) {
            throw new FederatedException("TASK " + TASK_FIELD + ": a preprocessor of " + p.inputWidth() + " columns to "
                    + p.outputWidth() + " (expected: a standardisation of this client's " + features.size()
                    + " numeric columns, none dropped)");
        }
        return p;
    }
}
