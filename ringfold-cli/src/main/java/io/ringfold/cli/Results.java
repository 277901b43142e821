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

    static ObjectNode summary(TrainingRun.Outcome o, Path modelFile) {
        ObjectNode r = JSON.createObjectNode();
        JsonNode e = o.evaluation();
        if (e.has("accuracy")) {
            r.put("test_accuracy", e.get("accuracy").asDouble());
            r.put("test_log_loss", e.get("logLoss").asDouble());
            if (e.has("auc")) {
                r.put("test_auc", e.get("auc").asDouble());
            }
        }
        if (e.has("rmse")) {
            r.put("test_rmse", e.get("rmse").asDouble());
            r.put("test_mae", e.get("mae").asDouble());
            r.put("test_r2", e.get("r2").asDouble());
        }
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
        if (o.result().solver() != null) {
            r.set("solver", o.result().solver().toJson());
        }
        return r;
    }

    static String describe(ObjectNode r) {
        StringBuilder sb = new StringBuilder();
        if (r.has("test_accuracy")) {
            sb.append(String.format("test accuracy %.4f  log loss %.4f", r.get("test_accuracy").asDouble(),
                    r.get("test_log_loss").asDouble()));
        } else if (r.has("test_rmse")) {
            sb.append(String.format("test rmse %.4f  mae %.4f  r2 %.4f", r.get("test_rmse").asDouble(),
                    r.get("test_mae").asDouble(), r.get("test_r2").asDouble()));
        } else {
            sb.append("no test set");
        }
        sb.append(String.format("%ntrained %d epochs in %.2f s (%,.0f samples/s)%nsaved %s%nparameter_digest %s",
                r.get("epochs").asInt(), r.get("train_seconds").asDouble(), r.get("samples_per_second").asDouble(),
                r.get("model_path").asText(), r.get("parameter_digest").asText()));
        if (r.has("solver")) {
            io.ringfold.solve.SolverReport report = io.ringfold.solve.SolverReport.fromJson(r.get("solver"));
            sb.append(System.lineSeparator()).append(report.describe());
            report.notes().forEach(n -> sb.append(System.lineSeparator()).append("note: ").append(n));
        }
        return sb.toString();
    }
}
