package io.ringfold.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.ColumnMasks;
import io.ringfold.data.DataSpec;
import io.ringfold.train.StoredPreprocessing;
import io.ringfold.train.TrainingConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ringfold preprocess}: fits the preprocessing (imputation, scaling, encodings, masks) on raw data, on the
 * rows a training run with the same seed and splits trains on, and stores it in {@code --out DIR} for
 * {@code train --preprocessing DIR}; the flags and the fitting are {@code train}'s own.
 */
@Command(name = "preprocess", mixinStandardHelpOptions = true, sortOptions = false,
        modelTransformer = HyperparameterFlags.Preprocessing.class,
        description = {"Fit the preprocessing (imputation, standardisation, one-hot encodings, text vocabulary, masks)",
                "on raw data and store it in --out DIR (DIR/" + StoredPreprocessing.FILE_NAME + ") for train --preprocessing DIR.",
                "It is fitted on the rows train holds for training with the same --seed, --test-split and",
                "--validation-split (give --test-split 0 when train gets --test)."})
final class PreprocessCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "SPEC", description = "Raw data, as for train.")
    String data;

    @Mixin
    PreprocessingFlags preprocessingFlags;

    @Mixin
    MaskKeyFlag maskKey;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object with the result as the last line.")
    boolean json;

    /**
     * Checks {@code preprocess ARGUMENTS} as the command would before reading data (flags, their values, the data
     * spec's form, the masks' form), for the job service; throws IllegalArgumentException with its message.
     */
    static void check(java.util.List<String> arguments) {
        picocli.CommandLine cl = new picocli.CommandLine(new RingfoldCommand());
        try {
            picocli.CommandLine.ParseResult parsed = cl.parseArgs(java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("preprocess"), arguments.stream()).toArray(String[]::new));
            PreprocessCommand p = (PreprocessCommand) parsed.subcommand().commandSpec().userObject();
            HyperparameterFlags.config(p.spec, null);
            DataSpec.parse(p.data);
            p.preprocessingFlags.checkMasks(p.maskKey);
        } catch (picocli.CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        TrainingConfig config = HyperparameterFlags.config(spec, null);
        ColumnMasks masks = preprocessingFlags.masks(maskKey);
        DataSpec dataSpec = preprocessingFlags.apply(DataSpec.parse(data), maskKey);
        DataSpec.LoadedData loaded = dataSpec.load();
        w.println("data: " + dataSpec.describe() + ", " + loaded.train().size() + " rows, "
                + loaded.train().numFeatures() + " features");
        StoredPreprocessing stored = StoredPreprocessing.fit(loaded, data, dataSpec.describe(), config, masks);
        Path file = stored.write(out);
        ObjectNode result = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
        result.put("preprocessing_path", file.toString());
        result.put("sha256", stored.contentHash());
        result.put("input_columns", stored.preprocessor().inputWidth());
        result.put("output_columns", stored.preprocessor().outputWidth());
        result.put("train_rows", stored.provenance().path("trainRows").asInt());
        result.put("data_fingerprint", stored.provenance().path("dataFingerprint").asText());
        if (!masks.isEmpty()) {
            result.put("mask", masks.spec());
        }
        if (json) {
            w.println(result);
        } else {
            w.println("preprocessing: " + stored.preprocessor().inputWidth() + " input columns -> "
                    + stored.preprocessor().outputWidth() + " features, fitted on " + result.get("train_rows")
                    + " rows" + (masks.isEmpty() ? "" : ", masked " + masks.spec()));
            w.println("wrote " + file + " (sha256 " + stored.contentHash() + ")");
        }
        return 0;
    }
}
