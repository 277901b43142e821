package io.ringfold.federated;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.train.TrainingConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The coordinator's state after a finished round, in one JSON file ({@value #FILE_NAME}, format version
 * {@value #VERSION}) replaced atomically: the round, the configuration and aggregation it ran with, the clients'
 * data description, the classes, the global parameters (little-endian float32, base64) and the rounds' records.
 * Sampling and local seeds derive from (seed, round), so a coordinator resumed from it continues to the same
 * parameters as one that was never stopped.
 */
public record RoundCheckpoint(int round, TrainingConfig config, String aggregation, float proximalMu, int localEpochs,
                              DataDescription description, int classes, float[] parameters, List<RoundRecord> history) {

    public static final String FILE_NAME = "federated-checkpoint.json";
    static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    public RoundCheckpoint {
        parameters = parameters.clone();
        history = List.copyOf(history);
    }

    @Override
    public float[] parameters() {
        return parameters.clone();
    }

    public void save(Path dir) throws IOException {
        Files.createDirectories(dir);
        ObjectNode n = JSON.createObjectNode();
        n.put("format_version", VERSION);
        n.put("round", round);
        n.set("config", config.toJson());
        n.put("aggregation", aggregation);
        n.put("proximal_mu", proximalMu);
        n.put("local_epochs", localEpochs);
        n.set("data", description.toJson());
        n.put("classes", classes);
        ByteBuffer b = ByteBuffer.allocate(parameters.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(parameters);
        n.put("parameters", Base64.getEncoder().encodeToString(b.array()));
        history.forEach(r -> n.withArray("history").add(r.toJson()));
        CheckpointFiles.writeAtomically(dir, FILE_NAME, JSON.writeValueAsBytes(n));
    }

    /** The checkpoint in {@code dir}, or empty when there is none; a damaged or unknown-version file fails naming it. */
    public static Optional<RoundCheckpoint> load(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(file.toFile());
            int version = n.path("format_version").asInt(-1);
            if (version != VERSION) {
                throw new IllegalArgumentException("format_version: " + n.get("format_version") + " (expected: "
                        + VERSION + ")");
            }
            byte[] raw = Base64.getDecoder().decode(n.path("parameters").asText());
            float[] params = new float[raw.length / Float.BYTES];
            ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(params);
            List<RoundRecord> history = new ArrayList<>();
            n.path("history").forEach(r -> history.add(RoundRecord.fromJson(r)));
            return Optional.of(new RoundCheckpoint(n.path("round").asInt(), TrainingConfig.fromJson(n.get("config")),
                    n.path("aggregation").asText(), (float) n.path("proximal_mu").asDouble(),
                    n.path("local_epochs").asInt(), DataDescription.fromJson(n.get("data")), n.path("classes").asInt(),
                    params, history));
        } catch (IOException | RuntimeException e) {
            throw new IOException("federated checkpoint " + file + ": " + e.getMessage()
                    + " (expected: a file written by ringfold federated coordinator)", e);
        }
    }

    /** Why this checkpoint cannot continue a run of {@code options}, or null when it can. */
    String mismatch(CoordinatorOptions options) {
        if (!config.equals(options.config())) {
            return "hyperparameters " + config + " (expected: the run's, " + options.config() + ")";
        }
        if (!aggregation.equals(options.aggregation().id()) || proximalMu != options.proximalMu()) {
            return "aggregation " + aggregation + " mu " + proximalMu + " (expected: " + options.aggregation().id()
                    + " mu " + options.proximalMu() + ")";
        }
        if (localEpochs != options.localEpochs()) {
            return "local epochs " + localEpochs + " (expected: " + options.localEpochs() + ")";
        }
        if (round > options.rounds()) {
            return "round " + round + " (expected: at most --rounds " + options.rounds() + ")";
        }
        return null;
    }
}
