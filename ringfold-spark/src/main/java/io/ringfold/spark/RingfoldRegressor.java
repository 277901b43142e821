package io.ringfold.spark;

import io.ringfold.model.ModelType;
import io.ringfold.train.Hyperparameters;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

import java.util.Set;

/**
 * A Spark ML regressor trained by Ringfold's data-parallel trainer in one barrier stage: linear
 * regression or an MLP, both with mean squared error. See docs/spark.md.
 *
 * <p>As MLlib's {@code LinearRegression} unless {@code modelType} says otherwise: linear regression without a
 * penalty unless {@code regParam} is set, on internally standardised features and target, coefficients in the
 * original units.
 */
public final class RingfoldRegressor extends RingfoldEstimator<RingfoldRegressionModel, RingfoldRegressor> {

    private static final long serialVersionUID = 1L;

    public RingfoldRegressor() {
        this(Identifiable.randomUID("ringfoldRegressor"));
    }

    public RingfoldRegressor(String uid) {
        super(uid, Set.of("linear", "mlp"), "linear", Set.of(Hyperparameters.THRESHOLD, Hyperparameters.CLASS_WEIGHT));
    }

    @Override
    ModelType modelType(Dataset<?> dataset) {
        return ModelType.parse(getString(modelType()));
    }

    @Override
    boolean classification() {
        return false;
    }

    @Override
    RingfoldRegressionModel newModel(String uid, io.ringfold.model.Model model) {
        return new RingfoldRegressionModel(uid, model);
    }

    @Override
    StructType outputSchema(StructType schema) {
        return SchemaCheck.withOutputs(schema, "", "", getString(predictionCol()));
    }

    @Override
    public RingfoldRegressor copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<RingfoldRegressor> read() {
        return new DefaultParamsReader<>();
    }

    public static RingfoldRegressor load(String path) {
        return read().load(path);
    }
}
