package io.ringfold.spark;

import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.MLReader;

/** A fitted {@link RingfoldRegressor}: {@code transform} appends the prediction column. */
public final class RingfoldRegressionModel extends RingfoldModel<RingfoldRegressionModel> {

    private static final long serialVersionUID = 1L;

    RingfoldRegressionModel(String uid, io.ringfold.model.Model model) {
        super(uid, model);
        if (model.isClassifier()) {
            throw new IllegalArgumentException("model: " + model + " (expected: a regressor)");
        }
    }

    @Override
    String rawPredictionColumn() {
        return "";
    }

    @Override
    String probabilityColumn() {
        return "";
    }

    @Override
    double binaryThreshold() {
        return 0.5;
    }

    @Override
    double[] perClassThresholds() {
        return null;
    }

    @Override
    public RingfoldRegressionModel copy(ParamMap extra) {
        RingfoldRegressionModel m = new RingfoldRegressionModel(uid(), ringfoldModel()).withHistory(trainingHistory(), -1, 0);
        return copyValues(m, extra).setParent(parent());
    }

    public static MLReader<RingfoldRegressionModel> read() {
        return new RingfoldModelIO.Reader<>(RingfoldRegressionModel.class, RingfoldRegressionModel::new);
    }

    public static RingfoldRegressionModel load(String path) {
        return read().load(path);
    }
}
