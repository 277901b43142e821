package io.ringfold.train;

import io.ringfold.data.ColumnMasks;
import io.ringfold.data.Dataset;
import io.ringfold.data.Preprocessor;

import java.util.Objects;

/**
 * Where a {@link TrainingRun}'s preprocessing comes from: {@link Fit fitted} on the run's training part with the
 * configuration's options (and the masks the data was read with), or {@link Stored stored} before, by
 * {@code ringfold preprocess}, and taken as it is.
 */
public sealed interface Preprocessing permits Preprocessing.Fit, Preprocessing.Stored {

    /** Fitted on the training part, without masks: what a run does by default. */
    Preprocessing FIT = new Fit(ColumnMasks.NONE);

    /** The preprocessor for {@code train} (the run's training part, raw) under {@code config}. */
    Preprocessor preprocessor(Dataset train, TrainingConfig config);

    /** The options {@code config} gives the preprocessing: standardisation, imputation, unseen categories. */
    static Preprocessor.Options options(TrainingConfig config) {
        return new Preprocessor.Options(config.standardize(), config.impute(), config.unseenCategories());
    }

    /** Fitted on the training part; {@code masks} are those the data was read with ({@code DataSpec.withMasks}). */
    record Fit(ColumnMasks masks) implements Preprocessing {
        public Fit {
            Objects.requireNonNull(masks, "masks");
        }

        @Override
        public Preprocessor preprocessor(Dataset train, TrainingConfig config) {
            return Preprocessor.fit(train, options(config).withMasks(masks));
        }
    }

    /** Fitted before; the training data must have its input columns and categories. */
    record Stored(Preprocessor preprocessor) implements Preprocessing {
        public Stored {
            Objects.requireNonNull(preprocessor, "preprocessor");
        }

        @Override
        public Preprocessor preprocessor(Dataset train, TrainingConfig config) {
            if (!train.schema().featureNames().equals(preprocessor.inputColumns())
                    || !train.schema().categoricalVocabularies().equals(preprocessor.vocabularies())) {
                throw new IllegalArgumentException(train.source() + ": feature columns " + train.schema().featureNames()
                        + ", categorical " + train.schema().categoricalVocabularies().keySet() + " (expected: the stored"
                        + " preprocessing's " + preprocessor.inputColumns() + ", categorical "
                        + preprocessor.vocabularies().keySet() + ")");
            }
            return preprocessor;
        }
    }
}
