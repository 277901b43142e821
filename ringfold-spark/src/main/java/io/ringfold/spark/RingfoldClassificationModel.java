package io.ringfold.spark;

import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;

/**
 * A fitted {@link RingfoldClassifier}: {@code transform} appends rawPrediction (logits), probability
 * and prediction (the class index as a double), as MLlib's probabilistic classifiers do; {@code threshold}
 * (binary) and {@code thresholds} decide the prediction as MLlib's, and may be changed after the fit.
 */
public final class RingfoldClassificationModel extends RingfoldModel<RingfoldClassificationModel> {

    private static final long serialVersionUID = 1L;

    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;
    private final DoubleParam threshold;
    private final DoubleArrayParam thresholds;

    RingfoldClassificationModel(String uid, io.ringfold.model.Model model) {
        super(uid, model);
        if (!model.isClassifier()) {
            throw new IllegalArgumentException("model: " + model + " (expected: a classifier)");
        }
        probabilityCol = new Param<>(this, "probabilityCol", "Class probabilities column ('' = none).",
                ParamCheck.of("probabilityCol", "a column name or ''", v -> v != null));
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "Raw prediction (logits) column ('' = none).",
                ParamCheck.of("rawPredictionCol", "a column name or ''", v -> v != null));
        threshold = new DoubleParam(this, "threshold", "A binary model predicts class 1 when its probability is at "
                + "least this.", ParamCheck.of("threshold", "0 <= threshold <= 1",
                v -> (Double) v >= 0 && (Double) v <= 1));
        thresholds = Thresholds.param(this);
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(threshold, 0.5);
    }

    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> rawPredictionCol() { return rawPredictionCol; }
    public DoubleParam threshold() { return threshold; }
    public DoubleArrayParam thresholds() { return thresholds; }

    public RingfoldClassificationModel setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public RingfoldClassificationModel setRawPredictionCol(String v) { set(rawPredictionCol, v); return this; }

    /** Clears {@code thresholds}, as MLlib's setter does. */
    public RingfoldClassificationModel setThreshold(double v) {
        clear(thresholds);
        set(threshold, v);
        return this;
    }

    /** Clears {@code threshold}, as MLlib's setter does. */
    public RingfoldClassificationModel setThresholds(double... v) {
        clear(threshold);
        set(thresholds, v.clone());
        return this;
    }

    /** The decision threshold on P(class 1) of a binary model, from {@code threshold} or {@code thresholds}. */
    public double getThreshold() {
        return Thresholds.binary(this, threshold, thresholds);
    }

    @Override
    double binaryThreshold() {
        // Only a binary model (one sigmoid output) decides by it; thresholds of more classes go per class.
        return ringfoldModel().network().outputs() == 1 ? getThreshold() : 0.5;
    }

    @Override
    double[] perClassThresholds() {
        return ringfoldModel().network().outputs() == 1 ? null : Thresholds.perClass(this, thresholds, numClasses());
    }

    /** Number of classes (2 for logistic regression's single sigmoid output). */
    public int numClasses() {
        return ringfoldModel().classNames().size();
    }

    @Override
    String rawPredictionColumn() {
        return getString(rawPredictionCol);
    }

    @Override
    String probabilityColumn() {
        return getString(probabilityCol);
    }

    @Override
    public RingfoldClassificationModel copy(ParamMap extra) {
        RingfoldClassificationModel m = new RingfoldClassificationModel(uid(), ringfoldModel()).withHistory(trainingHistory(), -1, 0);
        return copyValues(m, extra).setParent(parent());
    }

    public static MLReader<RingfoldClassificationModel> read() {
        return new RingfoldModelIO.Reader<>(RingfoldClassificationModel.class, RingfoldClassificationModel::new);
    }

    public static RingfoldClassificationModel load(String path) {
        return read().load(path);
    }
}
