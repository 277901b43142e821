package io.ringfold.cli;

import io.ringfold.data.MaskKey;
import io.ringfold.data.MaskSettings;
import io.ringfold.model.Model;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code --mask-key-file FILE}, declared once for every command that masks raw cells with {@code hmac}
 * ({@code train}, {@code preprocess}) or reads a model that does ({@code serve}, {@code predict},
 * {@code evaluate}). The key is read when first asked for and never printed; messages name the file.
 */
final class MaskKeyFlag {

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    // Name, label and help are the Spark Param's too (MaskSettings).
    @Option(names = MaskSettings.KEY_FILE_FLAG, paramLabel = MaskSettings.KEY_FILE_LABEL,
            description = MaskSettings.KEY_FILE_HELP)
    Path file;

    private MaskKey key;

    /** The key, if the flag is given. */
    Optional<MaskKey> key() {
        if (file == null) {
            return Optional.empty();
        }
        if (key == null) {
            try {
                key = MaskKey.read(file);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--mask-key-file " + e.getMessage());
            }
        }
        return Optional.of(key);
    }

    /**
     * {@code model} able to mask raw rows: with the key bound when a column is {@code hmac}, refused in one line
     * when the flag is missing or its key is not the model's.
     */
    Model bind(Model model, String where) {
        if (!model.preprocessor().masks().needsKey()) {
            return model;
        }
        MaskKey k = key().orElseThrow(() -> new IllegalArgumentException(where + ": columns "
                + model.preprocessor().masks().hmacColumns() + " are masked with hmac (expected: --mask-key-file FILE"
                + " with the key the model was trained with)"));
        try {
            return model.withMaskKey(k);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": --mask-key-file " + file + ": " + e.getMessage(), e);
        }
    }
}
