package io.ringfold.spark;

import io.ringfold.model.ModelType;
import io.ringfold.train.Hyperparameter;
import io.ringfold.train.Hyperparameters;
import org.apache.spark.ml.param.DoubleArrayParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A Spark ML classifier trained by Ringfold's data-parallel trainer in one barrier stage: logistic
 * regression (two classes), softmax regression or an MLP. Labels are class indices 0..K-1 (K from the
 * label column's nominal metadata, else the largest label + 1). See docs/spark.md.
 *
 * <p>As MLlib's {@code LogisticRegression} unless {@code modelType} says otherwise: {@code family} auto trains
 * logistic regression for two classes and softmax regression for more, without a penalty unless
 * {@code regParam} is set, on internally standardised features; {@code threshold} and {@code thresholds} decide
 * the prediction as MLlib's do.
 */
public final class RingfoldClassifier extends RingfoldEstimator<RingfoldClassificationModel, RingfoldClassifier> {

    private static final long serialVersionUID = 1L;

    private final Param<String> probabilityCol;
    private final Param<String> rawPredictionCol;
    private final Param<String> family;
    private final DoubleArrayParam thresholds;

    public RingfoldClassifier() {
        this(Identifiable.randomUID("ringfoldClassifier"));
    }

    public RingfoldClassifier(String uid) {
        super(uid, Set.of("logistic", "softmax", "mlp"), null, Set.of());
        probabilityCol = new Param<>(this, "probabilityCol", "Class probabilities column written by the model ('' = none).",
                ParamCheck.of("probabilityCol", "a column name or ''", v -> v != null));
        rawPredictionCol = new Param<>(this, "rawPredictionCol", "Raw prediction (logits) column written by the model "
                + "('' = none).", ParamCheck.of("rawPredictionCol", "a column name or ''", v -> v != null));
        family = new Param<>(this, "family", "MLlib's family, when modelType is not set: auto (binomial for two "
                + "classes, else multinomial), binomial (modelType logistic) or multinomial (modelType softmax).",
                ParamCheck.of("family", "auto, binomial or multinomial", v -> v != null
                        && Set.of("auto", "binomial", "multinomial").contains(v.toLowerCase(Locale.ROOT))));
        thresholds = Thresholds.param(this);
        setDefault(probabilityCol, "probability");
        setDefault(rawPredictionCol, "rawPrediction");
        setDefault(family, "auto");
    }

    public Param<String> probabilityCol() { return probabilityCol; }
    public Param<String> rawPredictionCol() { return rawPredictionCol; }
    public Param<String> family() { return family; }
    public DoubleParam threshold() { return param(Hyperparameters.THRESHOLD); }
    public DoubleArrayParam thresholds() { return thresholds; }
    public Param<String> classWeight() { return param(Hyperparameters.CLASS_WEIGHT); }

    public RingfoldClassifier setProbabilityCol(String v) { set(probabilityCol, v); return this; }
    public RingfoldClassifier setRawPredictionCol(String v) { set(rawPredictionCol, v); return this; }
    public RingfoldClassifier setFamily(String v) { set(family, v); return this; }
    public RingfoldClassifier setClassWeight(String v) { set(classWeight(), v); return this; }

    /** The binary decision threshold on P(class 1); clears {@code thresholds}, as MLlib's setter does. */
    public RingfoldClassifier setThreshold(double v) {
        clear(thresholds);
        set(threshold(), v);
        return this;
    }

    /** MLlib's per-class thresholds (predict the argmax of p_k / t_k); clears {@code threshold}, as MLlib's does. */
    public RingfoldClassifier setThresholds(double... v) {
        clear(threshold());
        set(thresholds, v.clone());
        return this;
    }

    /**
     * With {@code modelType} set, that model ({@code family} must then be auto or that model's family); else
     * {@code family}'s: auto looks at the class count (the label column's nominal metadata, else its largest
     * value + 1, one Spark job as MLlib's classifiers run).
     */
    @Override
    ModelType modelType(Dataset<?> dataset) {
        String fam = getString(family).toLowerCase(Locale.ROOT);
        if (isSet(modelType())) {
            ModelType m = ModelType.parse(getString(modelType()));
            if (!fam.equals("auto") && m != (fam.equals("binomial") ? ModelType.LOGISTIC : ModelType.SOFTMAX)) {
                throw new IllegalArgumentException("family: " + fam + " (expected: auto for modelType " + m.id()
                        + ", or binomial with logistic, multinomial with softmax)");
            }
            return m;
        }
        return switch (fam) {
            case "binomial" -> ModelType.LOGISTIC;
            case "multinomial" -> ModelType.SOFTMAX;
            default -> BarrierFit.labelClasses(dataset, getString(labelCol())) == 2 ? ModelType.LOGISTIC
                    : ModelType.SOFTMAX;
        };
    }

    @Override
    void addClassifierValues(Map<Hyperparameter<?>, Object> fixed, ModelType model) {
        if (model == ModelType.LOGISTIC) {
            fixed.put(Hyperparameters.THRESHOLD, Thresholds.binary(this, threshold(), thresholds));
        }
    }
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
