package io.ringfold.spark;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.ReduceOp;
import io.ringfold.nn.Network;
import io.ringfold.parallel.OwnedRows;
import io.ringfold.train.RowWeights;
import io.ringfold.train.TargetScaling;
import io.ringfold.train.TrainingConfig;

import java.io.Serializable;

/**
 * What the barrier tasks do to their rows before the fit and to the parameters after it, beyond the training
 * config, so that an estimator's fit is the one {@code ringfold train} (and, for the penalties, MLlib) makes:
 *
 * <ul>
 *   <li>{@code target}: a regression target standardised and folded back, and {@code --class-weight balanced}
 *       weights, exactly as {@code TrainingRun} computes them: from every row's label and weight in row order
 *       (the tasks all-gather them, 4 bytes a row each), so the bits equal {@code ringfold train --workers N}'s.
 *       The command line's Spark engine hands over targets and weights it already prepared, and sets none of
 *       this;</li>
 *   <li>{@code features}: MLlib's standardization ({@link FeatureScaling}) of a linear, logistic or softmax
 *       model, folded back into its coefficients;</li>
 *   <li>{@code mllibPenalty}: a regressor's L2 and L1 penalties given as MLlib's {@code regParam} terms. MLlib
 *       applies them to the coefficients of the target scaled by its unbiased standard deviation, Ringfold's
 *       {@link TargetScaling} by the population one; the same objective in the target's units needs
 *       {@code l2 / sd_unbiased} and {@code l1 / sd_population} (docs/spark.md derives it).</li>
 * </ul>
 */
record FitScaling(boolean target, boolean features, boolean mllibPenalty) implements Serializable {

    /** Nothing: the rows and the config are trained as they are. */
    static final FitScaling NONE = new FitScaling(false, false, false);

    /** The fit to run: its config and rows, and what turns its parameters into the model's. */
    record Prepared(TrainingConfig config, OwnedRows rows, TargetScaling target, FeatureScaling features) {

        float[] fold(Network net, float[] params) {
            return features.fold(net.inputSize(), net.outputs(), target.fold(net, params));
        }
    }

    /**
     * Prepares this worker's {@code rows} ({@code classes}: 0 for a regressor); every worker calls it together,
     * since it may all-reduce. Dense features are standardised in place.
     */
    Prepared prepare(TrainingConfig config, OwnedRows rows, Communicator comm, int classes, int shards) {
        int workers = comm.size();
        boolean regression = classes == 0;
        boolean balanced = config.classWeight() != io.ringfold.train.ClassWeight.NONE && !regression;
        float[] y = rows.y();
        float[] w = rows.w();
        TargetScaling scaling = TargetScaling.NONE;
        TrainingConfig cfg = config;
        if (target && (regression || balanced)) {
            float[] allLabels = gather(comm, y, rows.totalRows(), shards);
            float[] allWeights = w == null ? null : gather(comm, w, rows.totalRows(), shards);
            float[] weights = RowWeights.of(config, classes, allLabels, allWeights);
            if (weights != null) {
                w = owned(weights, y.length, comm.rank(), workers, shards);
            }
            if (regression) {
                scaling = TargetScaling.fit(allLabels, weights);
                y = scaling.apply(y);
                if (mllibPenalty) {
                    cfg = mllibPenalties(config, scaling, weights, rows.totalRows());
                }
            }
        }
        FeatureScaling fs = features ? FeatureScaling.fit(rows.x(), w, comm, workers, shards) : FeatureScaling.NONE;
        return new Prepared(cfg, new OwnedRows(fs.apply(rows.x()), y, w, rows.totalRows()), scaling, fs);
    }

    /**
     * MLlib's regressor objective in Ringfold's scaled target: MLlib divides regParam by the target's unbiased
     * standard deviation and scales the target by it, Ringfold scales by the population one, so L2 becomes
     * {@code l2 / sd_unbiased} and L1 {@code l1 / sd_population}.
     */
    private static TrainingConfig mllibPenalties(TrainingConfig config, TargetScaling scaling, float[] w, int rows) {
        double sw = 0;
        double sw2 = 0;
        for (int i = 0; i < rows; i++) {
            double wi = w == null ? 1 : w[i];
            sw += wi;
            sw2 += wi * wi;
        }
        double denominator = sw - sw2 / sw;
        double unbiased = denominator > 0 ? scaling.scale() * Math.sqrt(sw / denominator) : scaling.scale();
        com.fasterxml.jackson.databind.node.ObjectNode n = config.toJson();
        n.put("l2", config.resolvedL2(rows) / unbiased);
        n.put("l1", config.l1() / scaling.scale());
        return TrainingConfig.fromJson(n);
    }

    /**
     * Every worker's {@code local} values at their global rows: one all-reduce in which each row has a single
     * contributor, so the sums are the values themselves.
     */
    private static float[] gather(Communicator comm, float[] local, int totalRows, int shards) {
        float[] all = new float[totalRows];
        for (int i = 0; i < local.length; i++) {
            all[(int) OwnedRows.globalRow(i, comm.rank(), comm.size(), shards)] = local[i];
        }
        comm.allReduce(all, 0, totalRows, ReduceOp.SUM);
        return all;
    }

    /** This worker's rows of a value per global row. */
    private static float[] owned(float[] all, int count, int rank, int workers, int shards) {
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
            out[i] = all[(int) OwnedRows.globalRow(i, rank, workers, shards)];
        }
        return out;
    }
}
