package io.ringfold.cli;

import io.ringfold.data.ColumnMasks;
import io.ringfold.train.Hyperparameter;
import io.ringfold.train.StoredPreprocessing;
import io.ringfold.train.TrainingConfig;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.Objects;

/**
 * {@code train --preprocessing DIR}: the flags of preprocessing checked against the stored one. A flag may repeat
 * what it was fitted with and nothing else; the configuration takes the stored options, so the model's
 * hyperparameters say what its preprocessing did.
 */
final class StoredPreprocessingFlags {

    private StoredPreprocessingFlags() {
    }

    /**
     * {@code config} with the stored preprocessing's options.
     *
     * @throws CommandLine.ParameterException naming a flag that contradicts it, and the stored value
     */
    static TrainingConfig check(CommandSpec spec, TrainingConfig config, StoredPreprocessing stored,
                                PreprocessingFlags flags, MaskKeyFlag maskKey, PrintWriter w) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        TrainingConfig out = config;
        for (Hyperparameter<?> h : StoredPreprocessing.OPTIONS) {
            out = withStored(spec, out, stored, h, parsed.hasMatchedOption(h.flag()));
        }
        String storedMask = stored.preprocessor().masks().isEmpty() ? null : stored.preprocessor().masks().spec();
        if (flags.mask != null) {
            String given;
            try {
                given = ColumnMasks.parse(flags.mask).spec();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--mask: " + e.getMessage());
            }
            if (!given.equals(storedMask)) {
                throw contradiction(spec, "--mask", given, storedMask == null ? "none" : storedMask);
            }
        }
        boolean needsKey = stored.preprocessor().masks().needsKey();
        if (needsKey != (maskKey.file != null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), needsKey
                    ? "--preprocessing: columns " + stored.preprocessor().masks().hmacColumns() + " are masked with hmac"
                    + " (expected: --mask-key-file FILE with the key it was fitted with)"
                    : "--mask-key-file: the stored preprocessing has no hmac column (expected: no key)");
        }
        textFlag(spec, "--vocab-size", flags.vocabSize, stored.options().get("vocabularySize"));
        textFlag(spec, "--ngrams", flags.ngrams, stored.options().get("ngrams"));
        for (Hyperparameter<?> h : StoredPreprocessing.SPLITS) {
            String given = json(h, out);
            String fitted = stored.provenance().path(h.name()).asText();
            if (!Objects.equals(Double.valueOf(given), Double.valueOf(fitted))) {
                w.println("note: " + h.flag() + " " + given + ", the stored preprocessing was fitted with " + fitted
                        + ": its training rows differ from this run's");
            }
        }
        return out;
    }

    private static <T> TrainingConfig withStored(CommandSpec spec, TrainingConfig config, StoredPreprocessing stored,
                                                 Hyperparameter<T> h, boolean given) {
        T value;
        try {
            value = stored.option(h);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--preprocessing: " + e.getMessage());
        }
        if (given && !Objects.equals(h.get(config), value)) {
            throw contradiction(spec, h.flag(), h.format(h.get(config)), h.format(value));
        }
        return config.with(h, value);
    }

    private static void textFlag(CommandSpec spec, String flag, Integer given, com.fasterxml.jackson.databind.JsonNode stored) {
        if (given != null && (stored == null || stored.intValue() != given)) {
            throw contradiction(spec, flag, given.toString(), stored == null ? "no text column" : stored.asText());
        }
    }

    private static <T> String json(Hyperparameter<T> h, TrainingConfig config) {
        return h.toJson(h.get(config)).asText();
    }

    private static CommandLine.ParameterException contradiction(CommandSpec spec, String flag, String given,
                                                                String stored) {
        return new CommandLine.ParameterException(spec.commandLine(), flag + ": " + given + " contradicts the stored"
                + " preprocessing (expected: its own " + stored + ", or no " + flag + ")");
    }
}
