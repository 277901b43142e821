package io.ringfold.train;

import io.ringfold.data.Dataset;
import io.ringfold.data.Schema;
import io.ringfold.eval.KFold;
import io.ringfold.model.ModelType;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.ReferenceBlas;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CrossValidationTest {

    /** 60 rows of 2 features; labels 1 for the first 15 rows (their first feature shifted), else 0. */
    private static Dataset data() {
        SplitMix64 rng = new SplitMix64(9);
        FloatMatrix x = new FloatMatrix(60, 2);
        float[] y = new float[60];
        for (int i = 0; i < 60; i++) {
            y[i] = i < 15 ? 1 : 0;
            x.set(i, 0, (float) (rng.nextGaussian() + 2 * y[i]));
            x.set(i, 1, (float) rng.nextGaussian());
        }
        return Dataset.of(x, y, new Schema(List.of("a", "b"), List.of(), Map.of()), "cv-test");
    }

    private static TrainingConfig config(ModelType model) {
        return TrainingConfig.of(Map.of(Hyperparameters.MODEL, model, Hyperparameters.SEED, 4L));
    }

    @Test
    void aClassifierGetsStratifiedFoldsAndARegressorShuffledOnes() {
        Dataset d = data();
        KFold classifier = CrossValidation.folds(d, config(ModelType.LOGISTIC), 5);
        for (int f = 0; f < 5; f++) {
            int positives = 0;
            for (int row : classifier.heldOut(f)) {
                positives += (int) d.label(row);
            }
            assertThat(positives).as("fold %d: 15 positives in 5 stratified folds", f).isEqualTo(3);
        }
        KFold regressor = CrossValidation.folds(d, config(ModelType.LINEAR), 5);
        KFold shuffled = KFold.shuffled(60, 5, 4L);
        for (int row = 0; row < 60; row++) {
            assertThat(regressor.foldOf(row)).isEqualTo(shuffled.foldOf(row));
        }
    }

    @Test
    void eachFoldIsEvaluatedOnItsHeldOutRowsInOrder() {
        Dataset d = data();
        TrainingConfig config = config(ModelType.LOGISTIC);
        KFold folds = CrossValidation.folds(d, config, 3);
        List<CrossValidation.Fold> seen = new ArrayList<>();
        List<CrossValidation.Fold> result = CrossValidation.run(d, folds, config, new ReferenceBlas(), seen::add);
        assertThat(result).isEqualTo(seen).hasSize(3);
        for (int f = 0; f < 3; f++) {
            CrossValidation.Fold fold = result.get(f);
            assertThat(fold.index()).isEqualTo(f);
            assertThat(fold.testRows()).isEqualTo(folds.heldOut(f).length).isEqualTo(20);
            assertThat(fold.trainRows()).isEqualTo(40);
            assertThat(fold.evaluation().get("count").asInt()).isEqualTo(20);
            // Both classes in every held-out fold, so AUC and PR AUC are defined.
            assertThat(fold.evaluation().has("auc")).isTrue();
            assertThat(fold.evaluation().has("prAuc")).isTrue();
        }
    }

    @Test
    void refusesFoldsOfOtherData() {
        assertThatThrownBy(() -> CrossValidation.run(data(), KFold.shuffled(10, 2, 0), config(ModelType.LINEAR),
                new ReferenceBlas(), f -> { }))
                .hasMessage("folds: of 10 rows (expected: 60, the rows of cv-test)");
    }
}
