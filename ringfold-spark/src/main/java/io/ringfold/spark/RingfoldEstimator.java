package io.ringfold.spark;

import io.ringfold.model.ModelType;
import io.ringfold.train.Hyperparameter;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.SolverKind;
import io.ringfold.train.TrainingConfig;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

import java.util.Map;
import java.util.Set;

/**
 * What {@link RingfoldClassifier} and {@link RingfoldRegressor} share: the training Params, their
 * validation, and {@code fit}, which runs {@link BarrierFit}. Params are declared as fields and exposed
 * through public no-argument methods, because Spark finds a stage's params by reflecting on such
 * methods (Scala vals are methods; Java fields are not).
 *
 * <p>Every value is checked when it is set ({@link ParamCheck}) and the combination again at the start
 * of {@code fit}, before any Spark job: a bad value fails naming the param, the value and the range.
 *
 * <p>Besides Ringfold's own, the Params of MLlib's {@code LogisticRegression} and {@code LinearRegression} that
 * Ringfold can honour carry MLlib's names, values and defaults ({@code maxIter}, {@code tol},
 * {@code standardization}, {@code regParam}, {@code elasticNetParam}, {@code weightCol}, {@code solver}'s
 * {@code l-bfgs}), so a pipeline swaps one for the other by the class name (docs/spark.md).
 *
 * @param <M> the fitted model
 * @param <E> the concrete estimator, so that setters chain
 */
public abstract class RingfoldEstimator<M extends RingfoldModel<M>, E extends RingfoldEstimator<M, E>>
        extends Estimator<M> implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;
    /** The training Params, one per hyperparameter with a Spark name, made from its declaration. */
    private final Map<Hyperparameter<?>, Param<?>> training;
    private final IntParam numWorkers;
    private final IntParam numShards;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final Param<String> checkpointDir;
    private final IntParam checkpointEverySteps;
    private final IntParam collectiveTimeout;
    private final DoubleParam regParam;
    private final DoubleParam elasticNetParam;
    private final Param<String> weightCol;
    /** Internal test hook (see {@link BarrierTraining#failFirstAttemptAfterEpoch}); 0 = off. */
    private int failFirstAttemptAfterEpoch;

    /**
     * {@code defaultModelType}: null when the estimator decides the family at {@code fit} (the classifier, from
     * {@code family}); {@code excluded}: hyperparameters that do not apply to this estimator.
     */
    @SuppressWarnings("unchecked")
    protected RingfoldEstimator(String uid, Set<String> modelTypes, String defaultModelType,
                                Set<Hyperparameter<?>> excluded) {
        this.uid = uid;
        training = HyperparameterParams.create(this, modelTypes, excluded);
        for (Map.Entry<Hyperparameter<?>, Param<?>> e : training.entrySet()) {
            if (e.getKey() == Hyperparameters.MODEL) {
                if (defaultModelType != null) {
                    setDefault((Param<Object>) e.getValue(), defaultModelType);
                }
                continue;
            }
            setDefault((Param<Object>) e.getValue(), HyperparameterParams.sparkValue(e.getKey(),
                    e.getKey().defaultValue()));
        }
        numWorkers = new IntParam(this, "numWorkers", "Barrier tasks that train together, 1..numShards (default: "
                + "min(spark default parallelism, numShards)); the result does not depend on it.",
                ParamCheck.positiveInt("numWorkers"));
        numShards = new IntParam(this, "numShards", "Logical shards of each batch (> 0); fixed so that the result does "
                + "not depend on numWorkers. Row i belongs to shard i mod numShards.", ParamCheck.positiveInt("numShards"));
        featuresCol = new Param<>(this, "featuresCol", "Features column (ml Vector, dense or sparse).",
                ParamCheck.nonEmpty("featuresCol"));
        labelCol = new Param<>(this, "labelCol", "Label column (numeric).", ParamCheck.nonEmpty("labelCol"));
        predictionCol = new Param<>(this, "predictionCol", "Prediction column written by the model ('' = none).",
                ParamCheck.of("predictionCol", "a column name or ''", v -> v != null));
        checkpointDir = new Param<>(this, "checkpointDir", "Directory, shared by all executors, where rank 0 writes a "
                + "checkpoint; a retried barrier stage resumes from it (unset = no checkpoints).",
                ParamCheck.nonEmpty("checkpointDir"));
        checkpointEverySteps = new IntParam(this, "checkpointEverySteps", "Optimizer steps between checkpoints; 0 = "
                + "at the end of every epoch (>= 0).", ParamCheck.of("checkpointEverySteps", ">= 0", v -> (Integer) v >= 0));
        collectiveTimeout = new IntParam(this, "collectiveTimeout", "Seconds each collective operation (and the ring's "
                + "set-up) may wait for a peer before the task fails (> 0).", ParamCheck.positiveInt("collectiveTimeout"));
        regParam = new DoubleParam(this, "regParam", "MLlib's regularization parameter (>= 0): the penalty "
                + "regParam * (elasticNetParam * ||w||_1 + (1 - elasticNetParam) / 2 * ||w||^2) on the mean loss, on "
                + "standardised features when standardization is true; intercept not penalised. Linear, logistic "
                + "and softmax models.", ParamCheck.of("regParam", ">= 0", v -> (Double) v >= 0
                && Double.isFinite((Double) v)));
        elasticNetParam = new DoubleParam(this, "elasticNetParam", "MLlib's ElasticNet mixing parameter in [0, 1]: "
                + "0 an L2 penalty, 1 an L1 penalty (solved by OWL-QN).",
                ParamCheck.of("elasticNetParam", "0 <= elasticNetParam <= 1", v -> (Double) v >= 0 && (Double) v <= 1));
        weightCol = new Param<>(this, "weightCol", "Row weight column (numeric, finite, >= 0; unset or '' = every "
                + "row weighs 1). Linear, logistic and softmax models with a full-batch solver.",
                ParamCheck.of("weightCol", "a column name or ''", v -> v != null));
        setDefault(regParam, 0.0);
        setDefault(elasticNetParam, 0.0);
        setDefault(numShards, 8);
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(checkpointEverySteps, 0);
        setDefault(collectiveTimeout, 60);
    }

    @SuppressWarnings("unchecked")
    protected final E self() {
        return (E) this;
    }

    @Override
    public String uid() {
        return uid;
    }

    /** Whether this estimator trains a classifier (labels are class indices). */
    abstract boolean classification();

    /** The fitted model around a trained Ringfold model. */
    abstract M newModel(String uid, io.ringfold.model.Model model);

    /** The Param made from hyperparameter {@code h}. */
    @SuppressWarnings("unchecked")
    protected final <P extends Param<?>> P param(Hyperparameter<?> h) {
        return (P) training.get(h);
    }

    // Params, found by Spark through these methods; their names, docs, defaults and checks come from Hyperparameters.
    public Param<String> modelType() { return param(Hyperparameters.MODEL); }
    public IntArrayParam hiddenLayers() { return param(Hyperparameters.HIDDEN); }
    public Param<String> activation() { return param(Hyperparameters.ACTIVATION); }
    public Param<String> layers() { return param(Hyperparameters.LAYERS); }
    public IntArrayParam inputShape() { return param(Hyperparameters.INPUT_SHAPE); }
    public IntParam epochs() { return param(Hyperparameters.EPOCHS); }
    public IntParam batchSize() { return param(Hyperparameters.BATCH_SIZE); }
    public Param<String> optimizer() { return param(Hyperparameters.OPTIMIZER); }
    public DoubleParam learningRate() { return param(Hyperparameters.LEARNING_RATE); }
    public DoubleParam momentum() { return param(Hyperparameters.MOMENTUM); }
    public BooleanParam nesterov() { return param(Hyperparameters.NESTEROV); }
    public DoubleParam beta1() { return param(Hyperparameters.BETA1); }
    public DoubleParam beta2() { return param(Hyperparameters.BETA2); }
    public DoubleParam epsilon() { return param(Hyperparameters.EPSILON); }
    public DoubleParam weightDecay() { return param(Hyperparameters.WEIGHT_DECAY); }
    public Param<String> lrSchedule() { return param(Hyperparameters.LR_SCHEDULE); }
    public IntParam lrStepEpochs() { return param(Hyperparameters.LR_STEP_EPOCHS); }
    public DoubleParam lrGamma() { return param(Hyperparameters.LR_GAMMA); }
    public DoubleParam lrMinFraction() { return param(Hyperparameters.LR_MIN_FRACTION); }
    public LongParam seed() { return param(Hyperparameters.SEED); }
    public Param<String> solver() { return param(Hyperparameters.SOLVER); }
    public IntParam maxIter() { return param(Hyperparameters.MAX_ITER); }
    public DoubleParam tol() { return param(Hyperparameters.TOL); }
    public BooleanParam standardization() { return param(Hyperparameters.STANDARDIZE); }
    public DoubleParam dpClip() { return param(Hyperparameters.DP_CLIP); }
    public DoubleParam dpNoiseMultiplier() { return param(Hyperparameters.DP_NOISE_MULTIPLIER); }
    public DoubleParam dpEpsilon() { return param(Hyperparameters.DP_EPSILON); }
    public DoubleParam dpDelta() { return param(Hyperparameters.DP_DELTA); }
    public BooleanParam dpSecureRng() { return param(Hyperparameters.DP_SECURE_RNG); }
    public DoubleParam regParam() { return regParam; }
    public DoubleParam elasticNetParam() { return elasticNetParam; }
    public Param<String> weightCol() { return weightCol; }
    public IntParam numWorkers() { return numWorkers; }
    public IntParam numShards() { return numShards; }
    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> checkpointDir() { return checkpointDir; }
    public IntParam checkpointEverySteps() { return checkpointEverySteps; }
    public IntParam collectiveTimeout() { return collectiveTimeout; }

    public E setModelType(String v) { set(modelType(), v); return self(); }
    public E setHiddenLayers(int... v) { set(hiddenLayers(), v.clone()); return self(); }
    public E setActivation(String v) { set(activation(), v); return self(); }
    /** Hidden layers as {@code ringfold train --layers} writes them, e.g. {@code conv2d(20,5),relu,maxpool2d(2),flatten}. */
    public E setLayers(String v) { set(layers(), v); return self(); }
    /** The shape of one example, e.g. 1, 28, 28 for a features vector of 784 image pixels. */
    public E setInputShape(int... v) { set(inputShape(), v.clone()); return self(); }
    public E setEpochs(int v) { set(epochs(), v); return self(); }
    public E setBatchSize(int v) { set(batchSize(), v); return self(); }
    public E setOptimizer(String v) { set(optimizer(), v); return self(); }
    public E setLearningRate(double v) { set(learningRate(), v); return self(); }
    public E setMomentum(double v) { set(momentum(), v); return self(); }
    public E setNesterov(boolean v) { set(nesterov(), v); return self(); }
    public E setBeta1(double v) { set(beta1(), v); return self(); }
    public E setBeta2(double v) { set(beta2(), v); return self(); }
    public E setEpsilon(double v) { set(epsilon(), v); return self(); }
    public E setWeightDecay(double v) { set(weightDecay(), v); return self(); }
    public E setLrSchedule(String v) { set(lrSchedule(), v); return self(); }
    public E setLrStepEpochs(int v) { set(lrStepEpochs(), v); return self(); }
    public E setLrGamma(double v) { set(lrGamma(), v); return self(); }
    public E setLrMinFraction(double v) { set(lrMinFraction(), v); return self(); }
    public E setSeed(long v) { set(seed(), v); return self(); }
    /** auto, lbfgs (MLlib's l-bfgs), owlqn, normal, sgd or adam; l-bfgs and normal run OWL-QN when elasticNetParam
     * gives an L1 part, as MLlib does. */
    public E setSolver(String v) { set(solver(), v); return self(); }
    public E setMaxIter(int v) { set(maxIter(), v); return self(); }
    public E setTol(double v) { set(tol(), v); return self(); }
    public E setStandardization(boolean v) { set(standardization(), v); return self(); }
    public E setDpClip(double v) { set(dpClip(), v); return self(); }
    public E setDpNoiseMultiplier(double v) { set(dpNoiseMultiplier(), v); return self(); }
    public E setDpEpsilon(double v) { set(dpEpsilon(), v); return self(); }
    public E setDpDelta(double v) { set(dpDelta(), v); return self(); }
    public E setDpSecureRng(boolean v) { set(dpSecureRng(), v); return self(); }
    public E setRegParam(double v) { set(regParam, v); return self(); }
    public E setElasticNetParam(double v) { set(elasticNetParam, v); return self(); }
    public E setWeightCol(String v) { set(weightCol, v); return self(); }
    public E setNumWorkers(int v) { set(numWorkers, v); return self(); }
    public E setNumShards(int v) { set(numShards, v); return self(); }
    public E setFeaturesCol(String v) { set(featuresCol, v); return self(); }
    public E setLabelCol(String v) { set(labelCol, v); return self(); }
    public E setPredictionCol(String v) { set(predictionCol, v); return self(); }
    public E setCheckpointDir(String v) { set(checkpointDir, v); return self(); }
    public E setCheckpointEverySteps(int v) { set(checkpointEverySteps, v); return self(); }
    public E setCollectiveTimeout(int v) { set(collectiveTimeout, v); return self(); }

    String getString(Param<String> p) {
        return (String) getOrDefault(p);
    }

    int getInt(IntParam p) {
        return (Integer) getOrDefault(p);
    }

    double getDouble(DoubleParam p) {
        return (Double) getOrDefault(p);
    }

    /** The weight column, or null when unset or ''. */
    String weightColumn() {
        return isDefined(weightCol) && !getString(weightCol).isEmpty() ? getString(weightCol) : null;
    }

    /**
     * Internal test hook, not API: on the first attempt of the barrier stage, rank 0 fails after
     * {@code epoch} epochs, so that Spark retries the stage (0 turns it off).
     */
    E failFirstAttemptAfterEpochForTesting(int epoch) {
        failFirstAttemptAfterEpoch = epoch;
        return self();
    }

    int failFirstAttemptAfterEpoch() {
        return failFirstAttemptAfterEpoch;
    }

    /**
     * The Ringfold hyperparameters these Params describe, for a fit on {@code dataset}: no held-out splits, as
     * {@code ringfold train --test-split 0} (Spark pipelines split before); MLlib's regParam and
     * elasticNetParam as the L2 and L1 penalties (0 unless set, as MLlib, where {@code ringfold train} defaults a
     * classifier's L2 to 1/rows); standardization recorded for the linear, logistic and softmax models, to which
     * it applies; a regressor's mlp trains with mse.
     */
    TrainingConfig trainingConfig(Dataset<?> dataset) {
        ModelType model = modelType(dataset);
        Map<Hyperparameter<?>, Object> fixed = new java.util.HashMap<>();
        fixed.put(Hyperparameters.MODEL, model);
        fixed.put(Hyperparameters.TEST_SPLIT, 0.0);
        fixed.put(Hyperparameters.VALIDATION_SPLIT, 0.0);
        boolean glm = model != ModelType.MLP;
        fixed.put(Hyperparameters.STANDARDIZE, glm && (Boolean) getOrDefault(standardization()));
        if (!classification() && !glm) {
            fixed.put(Hyperparameters.LOSS, io.ringfold.nn.Loss.MSE);
        }
        double reg = getDouble(regParam);
        double alpha = getDouble(elasticNetParam);
        if (glm) {
            double l1 = reg * alpha;
            fixed.put(Hyperparameters.L2, reg * (1 - alpha));
            fixed.put(Hyperparameters.L1, l1);
            SolverKind solver = (SolverKind) HyperparameterParams.value(Hyperparameters.SOLVER,
                    getOrDefault(solver()));
            if (l1 > 0 && (solver == SolverKind.LBFGS || solver == SolverKind.NORMAL)) {
                // MLlib solves any problem with an L1 part by OWL-QN, whatever its solver param says.
                fixed.put(Hyperparameters.SOLVER, SolverKind.OWLQN);
            }
        } else if (reg > 0) {
            throw new IllegalArgumentException("regParam: " + reg + " (expected: 0 for modelType mlp; a network "
                    + "takes weightDecay)");
        }
        addClassifierValues(fixed, model);
        TrainingConfig config = HyperparameterParams.config(this, training, fixed);
        // The feature count only decides between two full-batch solvers, so any stands in for it here.
        if (weightColumn() != null && !config.resolvedSolver(1).fullBatch()) {
            throw new IllegalArgumentException("weightCol: " + weightColumn() + " (expected: unset for modelType "
                    + model.id() + " with solver " + getOrDefault(solver()) + "; row weights need a linear, logistic "
                    + "or softmax model with solver auto, l-bfgs, owlqn or normal)");
        }
        if (config.classWeight() != io.ringfold.train.ClassWeight.NONE && !config.resolvedSolver(1).fullBatch()) {
            throw new IllegalArgumentException("classWeight: " + config.classWeight().id() + " (expected: none for "
                    + "modelType " + model.id() + " with solver " + getOrDefault(solver()) + "; class weights need a "
                    + "logistic or softmax model with solver auto, l-bfgs or owlqn)");
        }
        return config;
    }

    /** The model family a fit on {@code dataset} trains. */
    abstract ModelType modelType(Dataset<?> dataset);

    /** Hyperparameters only a classifier decides (its decision threshold); none by default. */
    void addClassifierValues(Map<Hyperparameter<?>, Object> fixed, ModelType model) {
    }

    @Override
    public M fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        M model = BarrierFit.fit(this, dataset);
        // Set values as set and defaults as defaults (as MLlib's Predictor does), so that MLlib's pairs of
        // exclusive Params (threshold and thresholds) stay one set and one default on the model.
        return copyValues(model.setParent(this), new org.apache.spark.ml.param.ParamMap());
    }

    @Override
    public StructType transformSchema(StructType schema) {
        SchemaCheck.input(schema, getString(featuresCol), getString(labelCol), true);
        if (weightColumn() != null) {
            SchemaCheck.numeric(schema, weightColumn(), "weightCol");
        }
        return outputSchema(schema);
    }

    /** The input schema plus the columns the model writes. */
    abstract StructType outputSchema(StructType schema);
}
