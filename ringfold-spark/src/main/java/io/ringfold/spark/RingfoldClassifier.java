package io.ringfold.spark;

import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.StructType;

import java.util.Set;

/**
 * A Spark ML classifier trained by Ringfold's data-parallel trainer in one barrier stage: logistic
 * regression (two classes), softmax regression or an MLP. Labels are class indices 0..K-1 (K from the
 * label column's nominal metadata, else the largest label + 1). See docs/spark.md.
 */
public final class RingfoldClassifier extends RingfoldEstimator<RingfoldClassificationModel, RingfoldClassifier> {

    private static final long serialVersionUID = 1L;

    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;

    public RingfoldClassifier() {
        this(Identifiable.randomUID("ringfoldClassifier"));
    }

    public RingfoldClassifier(String uid) {
        super(uid, Set.of("logistic", "softmax", "mlp"), "mlp");
        probabilityCol = new Param<>(this, "probabilityCol", "Class probabilities column written by the model ('' = none).",
                ParamCheck.of("probabilityCol", "a column name or ''", v -> v != null));
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "Raw prediction (logits) column written by the model "
                + "('' = none).", ParamCheck.of("rawPredictionCol", "a column name or ''", v -> v != null));
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
    }

    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> rawPredictionCol() { return rawPredictionCol; }

    public RingfoldClassifier setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public RingfoldClassifier setRawPredictionCol(String v) { set(rawPredictionCol, v); return this; }

    @Override
    boolean classification() {
        return true;
    }

    @Override
    RingfoldClassificationModel newModel(String uid, io.ringfold.model.Model model) {
        return new RingfoldClassificationModel(uid, model);
    }

    @Override
    StructType outputSchema(StructType schema) {
        return SchemaCheck.withOutputs(schema, getString(rawPredictionCol), getString(probabilityCol),
                getString(predictionCol()));
    }

    @Override
    public RingfoldClassifier copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<RingfoldClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static RingfoldClassifier load(String path) {
        return read().load(path);
    }
}
