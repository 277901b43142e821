package io.ringfold.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one epoch did. For classification {@code accuracy} is set and {@code rmse}/{@code r2} are NaN;
 * for regression the reverse. Validation figures are NaN without a validation split. {@code dpEpsilon} is a
 * private run's ε (at its δ) spent up to the end of the epoch, NaN for a run that is not private.
 */
public record EpochMetrics(int epoch, double loss, double accuracy, double rmse,
                           double validationLoss, double validationAccuracy, double validationRmse,
                           double validationR2, float learningRate, double seconds, double samplesPerSecond,
                           double dpEpsilon) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LINE = Pattern.compile("epoch (\\d+)/(\\d+)((?:  \\S+ \\S+)*)  (\\S+) s  ([0-9,]+) samples/s");
    private static final Pattern FIGURE = Pattern.compile("  (\\S+) (\\S+)");
    /** The names {@link #describe} gives the figures, in the order of {@link #parse}'s array. */
    private static final List<String> FIGURES = List.of("loss", "acc", "rmse", "val_loss", "val_acc", "val_rmse",
            "val_r2", "ε");

    /** An epoch line read back: the run's planned epochs and the metrics it printed. */
    public record Line(int epochs, EpochMetrics metrics) {
    }

    /** An epoch of a run that is not private. */
    public EpochMetrics(int epoch, double loss, double accuracy, double rmse, double validationLoss,
                        double validationAccuracy, double validationRmse, double validationR2, float learningRate,
                        double seconds, double samplesPerSecond) {
        this(epoch, loss, accuracy, rmse, validationLoss, validationAccuracy, validationRmse, validationR2,
                learningRate, seconds, samplesPerSecond, Double.NaN);
    }

    /** These metrics with the ε a private run has spent by the end of the epoch. */
    public EpochMetrics withDpEpsilon(double epsilon) {
        return new EpochMetrics(epoch, loss, accuracy, rmse, validationLoss, validationAccuracy, validationRmse,
                validationR2, learningRate, seconds, samplesPerSecond, epsilon);
    }

    /**
     * An epoch's metrics from its summed training loss and hits over {@code rows} rows and an optional
     * validation evaluation: accuracy for classifiers, RMSE (and R²) for regressors.
     */
    public static EpochMetrics of(int epoch, double lossSum, long hits, int rows, boolean classification, int outputs,
                                  Evaluation val, float learningRate, double seconds) {
        double meanLoss = lossSum / rows;
        return new EpochMetrics(epoch, meanLoss,
                classification ? (double) hits / rows : Double.NaN,
                classification ? Double.NaN : Math.sqrt(meanLoss * outputs),
                val == null ? Double.NaN : val.meanLoss(),
                val == null || !classification ? Double.NaN : val.accuracy(),
                val == null || classification ? Double.NaN : val.rmse(),
                val == null || classification ? Double.NaN : val.r2(),
                learningRate, seconds, rows / seconds);
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("epoch", epoch);
        putFinite(n, "loss", loss);
        putFinite(n, "accuracy", accuracy);
        putFinite(n, "rmse", rmse);
        putFinite(n, "validation_loss", validationLoss);
        putFinite(n, "validation_accuracy", validationAccuracy);
        putFinite(n, "validation_rmse", validationRmse);
        putFinite(n, "validation_r2", validationR2);
        putFinite(n, "learning_rate", learningRate);
        n.put("seconds", seconds);
        n.put("samples_per_second", samplesPerSecond);
        putFinite(n, "dp_epsilon", dpEpsilon);
        return n;
    }

    /** One human line ({@link #parse} reads it back; Locale.ROOT so that it can), e.g. {@code epoch 3/30 loss 0.2101 acc 0.9412 val_loss ... 1.2 s 45,000 samples/s}. */
    public String describe(int epochs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f", epoch, epochs, loss));
        if (!Double.isNaN(accuracy)) {
            sb.append(String.format(Locale.ROOT, "  acc %.4f", accuracy));
        }
        if (!Double.isNaN(rmse)) {
            sb.append(String.format(Locale.ROOT, "  rmse %.4f", rmse));
        }
        if (!Double.isNaN(validationLoss)) {
            sb.append(String.format(Locale.ROOT, "  val_loss %.4f", validationLoss));
        }
        if (!Double.isNaN(validationAccuracy)) {
            sb.append(String.format(Locale.ROOT, "  val_acc %.4f", validationAccuracy));
        }
        if (!Double.isNaN(validationRmse)) {
            sb.append(String.format(Locale.ROOT, "  val_rmse %.4f  val_r2 %.4f", validationRmse, validationR2));
        }
        if (!Double.isNaN(dpEpsilon)) {
            sb.append(String.format(Locale.ROOT, "  ε %.3f", dpEpsilon));
        }
        sb.append(String.format(Locale.ROOT, "  %.2f s  %,.0f samples/s", seconds, samplesPerSecond));
        return sb.toString();
    }

    /**
     * Reads back a line {@link #describe} wrote (another process's output: a job's log), or empty when
     * {@code line} is not one. The line does not carry the learning rate, which comes back as NaN.
     */
    public static Optional<Line> parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        double[] f = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        Matcher figure = FIGURE.matcher(m.group(3));
        try {
            while (figure.find()) {
                int i = FIGURES.indexOf(figure.group(1));
                if (i < 0) {
                    return Optional.empty();
                }
                f[i] = Double.parseDouble(figure.group(2));
            }
            return Optional.of(new Line(Integer.parseInt(m.group(2)), new EpochMetrics(Integer.parseInt(m.group(1)),
                    f[0], f[1], f[2], f[3], f[4], f[5], f[6], Float.NaN, Double.parseDouble(m.group(4)),
                    Double.parseDouble(m.group(5).replace(",", "")), f[7])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Reads {@link #toJson}; absent figures (not applicable) come back as NaN. */
    public static EpochMetrics fromJson(com.fasterxml.jackson.databind.JsonNode n) {
        return new EpochMetrics(n.path("epoch").asInt(), n.path("loss").asDouble(Double.NaN),
                n.path("accuracy").asDouble(Double.NaN), n.path("rmse").asDouble(Double.NaN),
                n.path("validation_loss").asDouble(Double.NaN), n.path("validation_accuracy").asDouble(Double.NaN),
                n.path("validation_rmse").asDouble(Double.NaN), n.path("validation_r2").asDouble(Double.NaN),
                (float) n.path("learning_rate").asDouble(Double.NaN), n.path("seconds").asDouble(),
                n.path("samples_per_second").asDouble(), n.path("dp_epsilon").asDouble(Double.NaN));
    }

    static void putFinite(ObjectNode n, String name, double v) {
        if (Double.isFinite(v)) {
            n.put(name, v);
        }
    }
}
