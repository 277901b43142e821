package io.ringfold.parallel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.io.ModelFile;
import io.ringfold.io.NamedTensor;
import io.ringfold.optim.OptimizerState;
import io.ringfold.train.EpochMetrics;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a data-parallel run needs to continue exactly where it stopped: the position (epoch and
 * next step), parameters, optimizer state, the running sums of the epoch in progress, the history and
 * the early-stopping best. Random state needs no saving: every shuffle is derived from (seed, shard,
 * epoch). The previous step's largest gradient is kept because the next step's fixed-point scale
 * derives from it. The identity of the run (hyperparameters, architecture, shards, data fingerprint) is kept
 * too, so a checkpoint is never applied to a different run.
 */
record TrainingState(String identity, int epoch, int step, long globalStep, float[] params, OptimizerState optimizer,
                     double lossSum, long hits, double trainSeconds, List<EpochMetrics> history,
                     float[] best, double bestLoss, int bestEpoch, double previousMax) {

    private static final ObjectMapper JSON = new ObjectMapper();

    void write(Path file) throws IOException {
        ObjectNode h = JSON.createObjectNode();
        h.put("kind", "ringfold.checkpoint");
        h.put("identity", identity);
        h.put("epoch", epoch);
        h.put("step", step);
        h.put("global_step", globalStep);
        h.put("optimizer", optimizer.kind());
        h.put("optimizer_steps", optimizer.steps());
        h.put("loss_sum", lossSum);
        h.put("hits", hits);
        h.put("train_seconds", trainSeconds);
        ArrayNode hist = h.putArray("history");
        history.forEach(m -> hist.add(m.toJson()));
        if (Double.isFinite(bestLoss)) {
            h.put("best_loss", bestLoss);
        }
        h.put("best_epoch", bestEpoch);
        if (!Double.isNaN(previousMax)) {
            // The fixed-point scale of the next step derives from it, so a resumed run needs it exactly.
            h.put("previous_max_bits", Double.doubleToRawLongBits(previousMax));
        }
        List<NamedTensor> t = new ArrayList<>();
        t.add(new NamedTensor("params", new int[] {params.length}, params));
        float[][] buffers = optimizer.buffers();
        for (int i = 0; i < buffers.length; i++) {
            t.add(new NamedTensor("optimizer/" + i, new int[] {buffers[i].length}, buffers[i]));
        }
        if (best != null) {
            t.add(new NamedTensor("best", new int[] {best.length}, best));
        }
        ModelFile.write(file, h, t);
    }

    static TrainingState read(Path file, String expectedIdentity) throws IOException {
        ModelFile.Contents c = ModelFile.read(file);
        JsonNode h = c.header();
        if (!"ringfold.checkpoint".equals(h.path("kind").asText())) {
            throw new IllegalArgumentException(file + ": kind '" + h.path("kind").asText()
                    + "' (expected: ringfold.checkpoint)");
        }
        String identity = h.path("identity").asText();
        if (!identity.equals(expectedIdentity)) {
            throw new IllegalArgumentException(file + ": checkpoint of another run (its hyperparameters, architecture,"
                    + " shards or data differ: " + identity + "; expected: " + expectedIdentity + ")");
        }
        List<float[]> buffers = new ArrayList<>();
        float[] params = null;
        float[] best = null;
        for (NamedTensor t : c.tensors()) {
            if (t.name().equals("params")) {
                params = t.data();
            } else if (t.name().equals("best")) {
                best = t.data();
            } else if (t.name().startsWith("optimizer/")) {
                buffers.add(t.data());
            }
        }
        if (params == null) {
            throw new IllegalArgumentException(file + ": no params tensor (expected: a Ringfold checkpoint)");
        }
        List<EpochMetrics> history = new ArrayList<>();
        h.path("history").forEach(n -> history.add(EpochMetrics.fromJson(n)));
        return new TrainingState(identity, h.path("epoch").asInt(), h.path("step").asInt(),
                h.path("global_step").asLong(), params,
                new OptimizerState(h.path("optimizer").asText(), h.path("optimizer_steps").asLong(),
                        buffers.toArray(new float[0][])),
                h.path("loss_sum").asDouble(), h.path("hits").asLong(), h.path("train_seconds").asDouble(), history,
                best, h.path("best_loss").isNumber() ? h.path("best_loss").asDouble() : Double.POSITIVE_INFINITY,
                h.path("best_epoch").asInt(),
                h.has("previous_max_bits") ? Double.longBitsToDouble(h.get("previous_max_bits").asLong()) : Double.NaN);
    }
}
