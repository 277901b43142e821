package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.ColumnMasks;
import io.ringfold.data.DataSpec;
import io.ringfold.data.Dataset;
import io.ringfold.eval.KFold;
import io.ringfold.tensor.Blas;
import io.ringfold.train.CrossValidation;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ringfold cv}: k-fold cross-validation of one configuration, each fold held out once while the model
 * trains on the others, with every fold's headline metrics and their mean and standard deviation. Nothing is
 * saved.
 */
@Command(name = "cv", mixinStandardHelpOptions = true, sortOptions = false,
        modelTransformer = HyperparameterFlags.class,
        description = {"Cross-validate a model: split the training data into --folds K folds (stratified by class",
                "for a classifier, seeded by --seed), train on K-1 of them and evaluate on the one held out, K times;",
                "print each fold's metrics and their mean and standard deviation. Takes train's hyperparameter",
                "flags; --test-split does not apply (each fold is the test set in turn). Nothing is saved.",
                "--mask and --mask-key-file mask sensitive columns as train does, each fold fitting its own",
                "preprocessing; a stored one (train --preprocessing DIR) does not apply: it was fitted on rows",
                "that are some fold's held-out rows."})
final class CvCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "SPEC", description = "Training data (as for train); a "
            + "data set's own test part is not used.")
    String data;

    @Option(names = "--folds", paramLabel = "K", defaultValue = "5", description = "Number of folds, at least 2 and "
            + "at most the rows (of the smallest class, for a classifier) (default: 5).")
    int folds;

    // The hyperparameter flags (--model, --hidden, --lr, --seed, ...) come from their declarations, as in train.

    @Option(names = "--architecture", paramLabel = "FILE", description = "A JSON file with the network's layers, "
            + "instead of --layers (as for train).")
    Path architecture;

    @Option(names = "--json", description = "Print one JSON object: folds (each fold's metrics), mean and std.")
    boolean json;

    // --mask, --vocab-size and --ngrams, and the masks' --mask-key-file, as train declares them.
    @picocli.CommandLine.Mixin
    PreprocessingFlags preprocessingFlags;

    @picocli.CommandLine.Mixin
    MaskKeyFlag maskKey;

    // Taken only to be refused in one line that says why, where picocli would say "unknown option".
    @Option(names = "--preprocessing", paramLabel = "DIR", hidden = true)
    Path preprocessingDir;

    @Override
    public Integer call() {
        TrainingConfig config = HyperparameterFlags.config(spec, architecture);
        if (preprocessingDir != null) {
            throw new ParameterException(spec.commandLine(), "--preprocessing: " + preprocessingDir + " (expected: none;"
                    + " each fold fits its own preprocessing, and a stored one was fitted on rows that some fold holds"
                    + " out)");
        }
        if (folds < 2) {
            throw new ParameterException(spec.commandLine(), "--folds: " + folds + " (expected: at least 2)");
        }
        ColumnMasks masks = preprocessingFlags.masks(maskKey);
        DataSpec dataSpec = preprocessingFlags.apply(DataSpec.parse(data), maskKey);
        DataSpec.LoadedData loaded = dataSpec.load();
        Dataset all = loaded.train();
        KFold kfold;
        try {
            kfold = CrossValidation.folds(all, config, folds);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        boolean stratified = !TrainingRun.isRegression(config) && all.integralLabels();
        PrintWriter w = spec.commandLine().getOut();
        if (!json) {
            w.println("data: " + dataSpec.describe() + ", " + all.size() + " rows" + loaded.test()
                    .map(t -> " (its test part of " + t.size() + " rows not used)").orElse(""));
            w.println(folds + " folds, " + (stratified ? "stratified by class" : "shuffled") + ", seed " + config.seed()
                    + (spec.commandLine().getParseResult().hasMatchedOption("--test-split")
                    ? "; --test-split does not apply (each fold is the test set in turn)" : ""));
        }
        List<ObjectNode> perFold = new ArrayList<>();
        long t0 = System.nanoTime();
        CrossValidation.run(all, kfold, config, Blas.get(), masks, f -> {
            ObjectNode o = JSON.createObjectNode();
            o.put("fold", f.index() + 1);
            o.put("train_rows", f.trainRows());
            o.put("test_rows", f.testRows());
            Results.headlineMetrics(f.evaluation(), "", o);
            perFold.add(o);
            if (!json) {
                w.printf("fold %d/%d: trained on %d rows, tested on %d: %s%n", f.index() + 1, folds, f.trainRows(),
                        f.testRows(), Results.headline(o, ""));
            }
        });
        ObjectNode mean = JSON.createObjectNode();
        ObjectNode std = JSON.createObjectNode();
        meanAndStd(perFold, mean, std);
        if (json) {
            ObjectNode r = JSON.createObjectNode();
            r.put("data", data);
            if (!masks.isEmpty()) {
                r.put("mask", masks.spec());
            }
            r.put("rows", all.size());
            r.put("k", folds);
            r.put("stratified", stratified);
            r.put("seed", config.seed());
            ArrayNode foldsJson = r.putArray("folds");
            perFold.forEach(foldsJson::add);
            r.set("mean", mean);
            r.set("std", std);
            r.put("seconds", (System.nanoTime() - t0) / 1e9);
            w.println(r.toString());
        } else {
            w.println("mean: " + Results.headline(mean, ""));
            w.println("std:  " + Results.headline(std, ""));
        }
        return 0;
    }

    /**
     * Mean and standard deviation over the folds of each metric every fold has (not the row counts). The
     * standard deviation divides by K (numpy's default, as scikit-learn's cross-validation reports use): the
     * spread of these K folds, not an estimate for other splits.
     */
    static void meanAndStd(List<ObjectNode> perFold, ObjectNode mean, ObjectNode std) {
        int k = perFold.size();
        for (Iterator<String> it = perFold.get(0).fieldNames(); it.hasNext(); ) {
            String metric = it.next();
            if (metric.equals("fold") || metric.endsWith("_rows")
                    || !perFold.stream().allMatch(o -> o.has(metric))) {
                continue;
            }
            double sum = 0;
            for (JsonNode o : perFold) {
                sum += o.get(metric).asDouble();
            }
            double m = sum / k;
            double squares = 0;
            for (JsonNode o : perFold) {
                double d = o.get(metric).asDouble() - m;
                squares += d * d;
            }
            mean.put(metric, m);
            std.put(metric, Math.sqrt(squares / k));
        }
    }
}
