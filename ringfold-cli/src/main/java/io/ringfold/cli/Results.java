package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.train.TrainingRun;

import java.nio.file.Path;

/** The result summary of a training run, as the JSON line of {@code --json} and as text. */
final class Results {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Results() {
    }

    /** Wider models (images, token counts) leave their coefficients to {@code inspect --json}. */
    static final int MAX_COEFFICIENT_COLUMNS = 200;

    static ObjectNode summary(TrainingRun.Outcome o, Path modelFile) {
        ObjectNode r = JSON.createObjectNode();
        headlineMetrics(o.evaluation(), "test_", r);
        r.put("epochs", o.result().epochs().size());
        r.put("stopped_early", o.result().stoppedEarly());
        r.put("train_rows", o.trainRows());
        r.put("test_rows", o.testRows());
        r.put("train_seconds", o.result().trainSeconds());
        r.put("seconds_per_epoch", o.result().trainSeconds() / Math.max(1, o.result().epochs().size()));
        r.put("samples_per_second", o.result().samplesPerSecond());
        // Per-epoch times show the JIT warm-up of the first epoch apart from the steady state.
        double[] times = new double[o.result().epochs().size()];
        var epochSeconds = r.putArray("epoch_seconds");
        for (int i = 0; i < times.length; i++) {
            times[i] = o.result().epochs().get(i).seconds();
            epochSeconds.add(times[i]);
        }
        java.util.Arrays.sort(times);
        r.put("median_epoch_seconds", times.length == 0 ? 0 : times.length % 2 == 1 ? times[times.length / 2]
                : (times[times.length / 2 - 1] + times[times.length / 2]) / 2);
        r.put("workers", o.result().workers());
        if (o.result().shards() > 0) {
            r.put("shards", o.result().shards());
            var t = r.putArray("telemetry");
            o.result().telemetry().forEach(x -> t.add(x.toJson()));
        }
        r.put("model_path", modelFile.toString());
        r.put("parameter_digest", o.model().parameterDigest());
        r.put("blas", o.model().provenance().blas());
        r.put("seed", o.model().provenance().seed());
        JsonNode privacy = o.model().provenance().privacy();
        if (privacy != null) {
            // The guarantee the model file's provenance holds: ε at δ over every step run.
            r.put("dp_epsilon", privacy.get("epsilon").asDouble());
            r.put("dp_delta", privacy.get("delta").asDouble());
            r.put("dp_noise_multiplier", privacy.get("noise_multiplier").asDouble());
            r.put("dp_secure_rng", privacy.get("secure_rng").asBoolean());
        }
        if (o.result().solver() != null) {
            r.set("solver", o.result().solver().toJson());
        }
        io.ringfold.model.Coefficients.of(o.model())
                .filter(c -> c.columns().size() <= MAX_COEFFICIENT_COLUMNS)
                .ifPresent(c -> r.set("coefficients", c.toJson()));
        return r;
    }

    /**
     * The headline metrics of an evaluation (TrainingRun.evaluate's JSON) put into {@code into} under snake-case
     * names with {@code prefix}: accuracy, log_loss, and for a binary model auc and pr_auc when defined; or rmse,
     * mae and r2. Nothing for an empty evaluation (no test set).
     */
    static ObjectNode headlineMetrics(JsonNode evaluation, String prefix, ObjectNode into) {
        if (evaluation.has("accuracy")) {
            into.put(prefix + "accuracy", evaluation.get("accuracy").asDouble());
            into.put(prefix + "log_loss", evaluation.get("logLoss").asDouble());
            if (evaluation.has("auc")) {
                into.put(prefix + "auc", evaluation.get("auc").asDouble());
            }
            if (evaluation.has("prAuc")) {
                into.put(prefix + "pr_auc", evaluation.get("prAuc").asDouble());
            }
        }
        if (evaluation.has("rmse")) {
            into.put(prefix + "rmse", evaluation.get("rmse").asDouble());
            into.put(prefix + "mae", evaluation.get("mae").asDouble());
            into.put(prefix + "r2", evaluation.get("r2").asDouble());
        }
        return into;
    }

    /**
     * One line of the metrics {@link #headlineMetrics} named with {@code prefix}, in {@code r}: "accuracy 0.9611
     * log loss 0.1203  auc 0.9950  pr auc 0.9931" (auc and pr auc for a binary model) or "rmse 0.5012  mae
     * 0.3990  r2 0.9712"; empty when {@code r} has neither.
     */
    static String headline(JsonNode r, String prefix) {
        if (r.has(prefix + "accuracy")) {
            StringBuilder sb = new StringBuilder(String.format("accuracy %.4f  log loss %.4f",
                    r.get(prefix + "accuracy").asDouble(), r.get(prefix + "log_loss").asDouble()));
            if (r.has(prefix + "auc")) {
                sb.append(String.format("  auc %.4f", r.get(prefix + "auc").asDouble()));
            }
            if (r.has(prefix + "pr_auc")) {
                sb.append(String.format("  pr auc %.4f", r.get(prefix + "pr_auc").asDouble()));
            }
            return sb.toString();
        }
        if (r.has(prefix + "rmse")) {
            return String.format("rmse %.4f  mae %.4f  r2 %.4f", r.get(prefix + "rmse").asDouble(),
                    r.get(prefix + "mae").asDouble(), r.get(prefix + "r2").asDouble());
        }
        return "";
    }

    static String describe(ObjectNode r) {
        StringBuilder sb = new StringBuilder();
        String headline = headline(r, "test_");
        sb.append(headline.isEmpty() ? "no test set" : "test " + headline);
        sb.append(String.format("%ntrained %d epochs in %.2f s (%,.0f samples/s)%nsaved %s%nparameter_digest %s",
                r.get("epochs").asInt(), r.get("train_seconds").asDouble(), r.get("samples_per_second").asDouble(),
                r.get("model_path").asText(), r.get("parameter_digest").asText()));
        if (r.has("dp_epsilon")) {
            sb.append(String.format("%nprivacy: (ε %.3f, δ %s)-differentially private (DP-SGD, noise multiplier %.4f%s)",
                    r.get("dp_epsilon").asDouble(), r.get("dp_delta").asDouble(),
                    r.get("dp_noise_multiplier").asDouble(), r.get("dp_secure_rng").asBoolean()
                            ? "; noise from SecureRandom, not reproducible" : ""));
        }
        if (r.has("solver")) {
            io.ringfold.solve.SolverReport report = io.ringfold.solve.SolverReport.fromJson(r.get("solver"));
            sb.append(System.lineSeparator()).append(report.describe());
            report.notes().forEach(n -> sb.append(System.lineSeparator()).append("note: ").append(n));
        }
        return sb.toString();
    }

    /**
     * A pipeline run: its plan, each stage's layers, and every worker's telemetry per epoch
     * ({@code stage_telemetry}), which the dashboard draws.
     */
    static ObjectNode pipeline(io.ringfold.parallel.PipelinePlan plan, java.util.List<io.ringfold.train.StageTelemetry> stages) {
        ObjectNode p = JSON.createObjectNode();
        p.put("stages", plan.stages());
        p.put("micro_batches", plan.microBatches());
        p.put("schedule", plan.schedule().id());
        var boundaries = p.putArray("boundaries");
        stages.stream().filter(t -> t.replica() == 0 && t.stage() > 0 && t.epoch() == stages.get(0).epoch())
                .forEach(t -> boundaries.add(t.fromLayer()));
        p.put("analytic_bubble", (plan.stages() - 1) / (double) (plan.microBatches() + plan.stages() - 1));
        var t = p.putArray("stage_telemetry");
        stages.forEach(x -> t.add(x.toJson()));
        return p;
    }
}
