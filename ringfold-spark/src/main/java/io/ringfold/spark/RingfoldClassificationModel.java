package io.ringfold.spark;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;

/**
 * A fitted {@link RingfoldClassifier}: {@code transform} appends rawPrediction (logits), probability
 * and prediction (the class index as a double), as MLlib's probabilistic classifiers do.
 */
public final class RingfoldClassificationModel extends RingfoldModel<RingfoldClassificationModel> {

    private static final long serialVersionUID = 1L;

    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;

    RingfoldClassificationModel(String uid, io.ringfold.model.Model model) {
        super(uid, model);
        if (!model.isClassifier()) {
            throw new IllegalArgumentException("model: " + model + " (expected: a classifier)");
        }
        probabilityCol = new Param<>(this, "probabilityCol", "Class probabilities column ('' = none).",
                ParamCheck.of("probabilityCol", "a column name or ''", v -> v != null));
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "Raw prediction (logits) column ('' = none).",
                ParamCheck.of("rawPredictionCol", "a column name or ''", v -> v != null));
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
    }

    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> rawPredictionCol() { return rawPredictionCol; }

    public RingfoldClassificationModel setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public RingfoldClassificationModel setRawPredictionCol(String v) { set(rawPredictionCol, v); return this; }

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
