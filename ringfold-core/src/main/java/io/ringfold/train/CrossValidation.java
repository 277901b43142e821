package io.ringfold.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.ColumnMasks;
import io.ringfold.data.DataSpec.LoadedData;
import io.ringfold.data.Dataset;
import io.ringfold.eval.KFold;
import io.ringfold.tensor.Blas;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * K-fold cross-validation: each fold of a {@link KFold} is held out once as the test set of a
 * {@link TrainingRun} on the other folds, with the same configuration (and seed) every time, so the spread
 * of the folds' metrics shows how much a result depends on which rows were held out. Folds are stratified
 * by class for a classifier and a seeded shuffle for a regressor, both from the configuration's seed.
 */
public final class CrossValidation {

    /**
     * One fold's result.
     *
     * @param index      0-based fold number
     * @param trainRows  rows trained on (the other folds, less any validation split)
     * @param testRows   rows held out and evaluated
     * @param evaluation the held-out rows' metrics, as {@link TrainingRun#evaluate}
     */
    public record Fold(int index, int trainRows, int testRows, ObjectNode evaluation) {
    }

    private CrossValidation() {
    }

    /**
     * The folds {@link #run} uses: stratified by class when {@code config} trains a classifier on class-index
     * labels, else shuffled (a classifier's other labels are then refused by {@link TrainingRun}, naming them).
     *
     * @throws IllegalArgumentException {@code folds: ...} when k folds cannot be made of the data
     */
    public static KFold folds(Dataset data, TrainingConfig config, int k) {
        if (!TrainingRun.isRegression(config) && data.integralLabels()) {
            return KFold.stratified(classIndices(data.labels()), k, config.seed());
        }
        return KFold.shuffled(data.size(), k, config.seed());
    }

    /**
     * Trains and evaluates once per fold of {@code folds} (made for {@code data}, as {@link #folds}), in fold
     * order, handing each result to {@code onFold} as it is done.
     */
    public static List<Fold> run(Dataset data, KFold folds, TrainingConfig config, Blas blas, Consumer<Fold> onFold) {
        return run(data, folds, config, blas, ColumnMasks.NONE, onFold);
    }

    /**
     * As {@link #run(Dataset, KFold, TrainingConfig, Blas, Consumer)} for {@code data} read with {@code masks}
     * ({@code DataSpec.withMasks}): each fold fits its preprocessing with them, as {@code ringfold train --mask}
     * does, so a fold's model is the one train would make of its rows.
     */
    public static List<Fold> run(Dataset data, KFold folds, TrainingConfig config, Blas blas, ColumnMasks masks,
                                 Consumer<Fold> onFold) {
        if (folds.rows() != data.size()) {
            throw new IllegalArgumentException("folds: of " + folds.rows() + " rows (expected: " + data.size()
                    + ", the rows of " + data.source() + ")");
        }
        List<Fold> out = new ArrayList<>(folds.k());
        for (int f = 0; f < folds.k(); f++) {
            Dataset heldOut = data.subset(folds.heldOut(f));
            LoadedData split = new LoadedData(data.subset(folds.training(f)), Optional.of(heldOut));
            TrainingRun.Outcome o = TrainingRun.run(split, config, blas, TrainingListener.NONE,
                    new Trainer(config, blas)::fit, new Preprocessing.Fit(masks));
            Fold fold = new Fold(f, o.trainRows(), o.testRows(), o.evaluation());
            onFold.accept(fold);
            out.add(fold);
        }
        return List.copyOf(out);
    }

    private static int[] classIndices(float[] labels) {
        int[] out = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            out[i] = (int) labels[i];
        }
        return out;
    }
}
