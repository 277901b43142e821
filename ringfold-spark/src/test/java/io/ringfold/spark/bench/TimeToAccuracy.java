package io.ringfold.spark.bench;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.MulticlassClassificationEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Time to a target test accuracy, by search over the effort (iterations or epochs): fit with each effort
 * of the contender's schedule until one reaches the target, optionally bisect between the last effort
 * that fell short and the first that reached it, then fit the smallest sufficient effort again
 * {@code repeats} more times. The reported time is the median wall time of the fits at that effort
 * (the search's own and the repeats): what a user who knew the effort would wait for {@code fit}. Only
 * {@code fit} is timed; accuracy is measured afterwards on the test set.
 */
final class TimeToAccuracy {

    /** One timed fit. */
    record Fit(int effort, double seconds, double accuracy, Transformer model) {
    }

    /** The smallest effort found that reached the target, its fits, and whether it was reached at all. */
    record Outcome(boolean reached, int effort, List<Fit> fits) {
        double medianSeconds() {
            double[] s = fits.stream().mapToDouble(Fit::seconds).sorted().toArray();
            return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        }

        Transformer model() {
            return fits.get(fits.size() - 1).model();
        }
    }

    private final MulticlassClassificationEvaluator accuracy =
            new MulticlassClassificationEvaluator().setMetricName("accuracy");
    private final JsonLines out;

    TimeToAccuracy(JsonLines out) {
        this.out = out;
    }

    /**
     * Searches the contender's schedule for {@code task} (or only {@code fixedEffort} when > 0), bisects to
     * {@code granularity} when {@code refine}, and repeats the winner.
     */
    Outcome run(Contender contender, BenchTask task, Dataset<Row> train, Dataset<Row> test,
                int fixedEffort, boolean refine, int granularity, int repeats) {
        List<Integer> schedule = fixedEffort > 0 ? List.of(fixedEffort) : contender.effortSchedule(task);
        Fit best = null;
        int shortOf = 0;
        for (int effort : schedule) {
            Fit fit = fitOnce(contender, task, effort, train, test, "search");
            if (fit.accuracy() >= task.targetAccuracy()) {
                best = fit;
                break;
            }
            shortOf = effort;
        }
        if (best == null) {
            return new Outcome(false, schedule.get(schedule.size() - 1), List.of());
        }
        if (refine) {
            int low = shortOf;
            while (best.effort() - low > granularity) {
                int mid = (low + best.effort()) / 2;
                Fit fit = fitOnce(contender, task, mid, train, test, "refine");
                if (fit.accuracy() >= task.targetAccuracy()) {
                    best = fit;
                } else {
                    low = mid;
                }
            }
        }
        List<Fit> fits = new ArrayList<>(List.of(best));
        for (int i = 0; i < repeats; i++) {
            fits.add(fitOnce(contender, task, best.effort(), train, test, "repeat"));
        }
        Outcome outcome = new Outcome(true, best.effort(), fits);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("measure", "time_to_accuracy");
        line.put("contender", contender.name());
        line.put("task", task.id());
        line.put("target_accuracy", task.targetAccuracy());
        line.put(contender.effortUnit(), outcome.effort());
        line.put("fits", fits.size());
        line.put("seconds_each", Arrays.toString(fits.stream().mapToDouble(f -> round(f.seconds(), 3)).toArray()));
        line.put("median_seconds", round(outcome.medianSeconds(), 3));
        line.put("test_accuracy", round(fits.get(0).accuracy(), 4));
        line.put("settings", contender.settings(task));
        out.print(line);
        return outcome;
    }

    private Fit fitOnce(Contender contender, BenchTask task, int effort, Dataset<Row> train, Dataset<Row> test,
                        String phase) {
        long start = System.nanoTime();
        Transformer model = contender.fit(task, effort, train);
        double seconds = (System.nanoTime() - start) / 1e9;
        double acc = accuracy.evaluate(model.transform(test));
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("measure", "fit");
        line.put("phase", phase);
        line.put("contender", contender.name());
        line.put("task", task.id());
        line.put(contender.effortUnit(), effort);
        line.put("fit_seconds", round(seconds, 3));
        line.put("test_accuracy", round(acc, 4));
        line.put("reached", acc >= task.targetAccuracy());
        out.print(line);
        return new Fit(effort, seconds, acc, model);
    }

    static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }
}
