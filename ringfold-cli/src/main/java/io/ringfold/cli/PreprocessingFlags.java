package io.ringfold.cli;

import io.ringfold.data.ColumnMasks;
import io.ringfold.data.DataSpec;
import io.ringfold.data.MaskSettings;
import io.ringfold.data.TextOptions;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The flags of how raw data is read and preprocessed beyond the hyperparameters (which come from
 * {@code Hyperparameters}: {@code --impute}, {@code --no-standardize}, {@code --unseen-categories}), declared
 * once for {@code train} and {@code preprocess}: the masks of sensitive columns and the text column's vocabulary.
 * The masks' key comes from the command's {@link MaskKeyFlag}.
 */
final class PreprocessingFlags {

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    // Name, label and help are the Spark Param's too (MaskSettings).
    @Option(names = MaskSettings.MASK_FLAG, paramLabel = MaskSettings.MASK_LABEL, description = MaskSettings.MASK_HELP)
    String mask;

    @Option(names = "--vocab-size", paramLabel = "N", description = "Text column (csv:...&text=COL): keep the N most "
            + "frequent tokens of the training split; the others count as one unknown token (default: "
            + TextOptions.DEFAULT_VOCABULARY_SIZE + ").")
    Integer vocabSize;

    @Option(names = "--ngrams", paramLabel = "1|2", description = "Text column: 1 for single tokens, 2 for single "
            + "tokens and pairs of adjacent tokens (default: 1).")
    Integer ngrams;

    private ColumnMasks masks;

    /**
     * Checks the form of {@code --mask} only: for a train job checked at submission with a stored preprocessing,
     * which decides whether a key is needed (its key file is read where the job runs).
     */
    void checkMaskSpec(CommandLine cl) {
        if (mask != null) {
            try {
                ColumnMasks.parse(mask);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cl, "--mask: " + e.getMessage());
            }
        }
    }

    /**
     * Checks {@code --mask} and that {@code --mask-key-file} is given exactly when a column is hmac, without reading
     * the key: for a job checked at submission, whose key file is read where it runs.
     */
    void checkMasks(MaskKeyFlag maskKey) {
        unbound(maskKey);
    }

    /**
     * The masks of {@code --mask}, their key bound from {@code maskKey}'s {@code --mask-key-file};
     * {@link ColumnMasks#NONE} without the flag. An hmac mask without a key, and a key without an hmac mask, are
     * refused.
     */
    ColumnMasks masks(MaskKeyFlag maskKey) {
        if (masks == null) {
            ColumnMasks parsed = unbound(maskKey);
            masks = maskKey.key().map(parsed::withKey).orElse(parsed);
        }
        return masks;
    }

    /** The masks of {@code --mask}, checked against {@code --mask-key-file}'s presence; the key is not read. */
    private ColumnMasks unbound(MaskKeyFlag maskKey) {
        if (mask == null) {
            if (maskKey.file != null) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--mask-key-file without --mask (expected:"
                        + " --mask COLUMN=hmac, whose pseudonyms the key makes)");
            }
            return ColumnMasks.NONE;
        }
        ColumnMasks parsed;
        try {
            parsed = ColumnMasks.parse(mask);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--mask: " + e.getMessage());
        }
        if (parsed.needsKey() && maskKey.file == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--mask: columns " + parsed.hmacColumns()
                    + " are hmac (expected: --mask-key-file FILE with the secret key)");
        }
        if (!parsed.needsKey() && maskKey.file != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--mask-key-file: no hmac column in --mask "
                    + mask + " (expected: the key only with an hmac mask)");
        }
        return parsed;
    }

    /** Whether any flag here is given. */
    boolean anyGiven() {
        return mask != null || vocabSize != null || ngrams != null;
    }

    /** {@code dataSpec} with --vocab-size, --ngrams and --mask; a flag the data cannot use is refused. */
    DataSpec apply(DataSpec dataSpec, MaskKeyFlag maskKey) {
        DataSpec out = dataSpec;
        if (vocabSize != null || ngrams != null) {
            out = withTextOptions(out);
        }
        ColumnMasks m = masks(maskKey);
        try {
            return out.withMasks(m);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--mask: " + e.getMessage());
        }
    }

    /** The text options of --vocab-size and --ngrams (defaults for those not given). */
    TextOptions textOptions() {
        try {
            return new TextOptions(vocabSize == null ? TextOptions.DEFAULT_VOCABULARY_SIZE : vocabSize,
                    ngrams == null ? 1 : ngrams);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new CommandLine.ParameterException(spec.commandLine(), (m.startsWith("ngrams") ? "--ngrams"
                    : "--vocab-size") + m.substring(m.indexOf(':')));
        }
    }

    private DataSpec withTextOptions(DataSpec dataSpec) {
        String flags = vocabSize != null && ngrams != null ? "--vocab-size, --ngrams" : vocabSize != null
                ? "--vocab-size" : "--ngrams";
        TextOptions options = textOptions();
        try {
            return dataSpec.withTextOptions(options);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), flags + ": the data has no text column"
                    + " (expected: --data csv:PATH?text=COLUMN)");
        }
    }
}
