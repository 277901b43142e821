package io.ringfold.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.train.TrainingConfig;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntArrayParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

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
 * @param <M> the fitted model
 * @param <E> the concrete estimator, so that setters chain
 */
public abstract class RingfoldEstimator<M extends RingfoldModel<M>, E extends RingfoldEstimator<M, E>>
        extends Estimator<M> implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> modelType;
    private final IntArrayParam hiddenLayers;
    private final Param<String> activation;
    private final IntParam epochs;
    private final IntParam batchSize;
    private final Param<String> optimizer;
    private final DoubleParam learningRate;
    private final Param<String> lrSchedule;
    private final IntParam lrStepEpochs;
    private final DoubleParam lrGamma;
    private final DoubleParam momentum;
    private final DoubleParam weightDecay;
    private final LongParam seed;
    private final IntParam numWorkers;
    private final IntParam numShards;
    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final Param<String> checkpointDir;
    private final IntParam checkpointEverySteps;
    private final IntParam collectiveTimeout;
    /** Internal test hook (see {@link BarrierTraining#failFirstAttemptAfterEpoch}); 0 = off. */
    private int failFirstAttemptAfterEpoch;

    protected RingfoldEstimator(String uid, Set<String> modelTypes, String defaultModelType) {
        this.uid = uid;
        modelType = new Param<>(this, "modelType", "Model family: " + String.join(", ", new java.util.TreeSet<>(modelTypes))
                + ".", ParamCheck.oneOf("modelType", modelTypes));
        hiddenLayers = new IntArrayParam(this, "hiddenLayers", "Hidden layer widths of an mlp, each > 0 (ignored unless "
                + "set for the other model types, which have none).",
                ParamCheck.of("hiddenLayers", "every width > 0", v -> allPositive((int[]) v)));
        activation = new Param<>(this, "activation", "Hidden-layer activation of an mlp: relu, tanh, sigmoid or identity.",
                ParamCheck.oneOf("activation", Set.of("relu", "tanh", "sigmoid", "identity")));
        epochs = new IntParam(this, "epochs", "Passes over the training data (> 0).", ParamCheck.positiveInt("epochs"));
        batchSize = new IntParam(this, "batchSize", "Rows per optimizer step over all workers (> 0 and >= numShards).",
                ParamCheck.positiveInt("batchSize"));
        optimizer = new Param<>(this, "optimizer", "Optimizer: adam, sgd or momentum.",
                ParamCheck.oneOf("optimizer", Set.of("adam", "sgd", "momentum")));
        learningRate = new DoubleParam(this, "learningRate", "Step size (> 0).", ParamCheck.positiveFinite("learningRate"));
        lrSchedule = new Param<>(this, "lrSchedule", "Learning-rate schedule over the epochs: constant, step (times "
                + "lrGamma every lrStepEpochs) or cosine (per step, from learningRate down to the config's minimum "
                + "fraction at the last step).",
                ParamCheck.oneOf("lrSchedule", Set.of("constant", "step", "cosine")));
        lrStepEpochs = new IntParam(this, "lrStepEpochs", "Epochs between decays of the step schedule (> 0).",
                ParamCheck.positiveInt("lrStepEpochs"));
        lrGamma = new DoubleParam(this, "lrGamma", "Decay factor of the step schedule (0 < gamma <= 1).",
                ParamCheck.of("lrGamma", "0 < lrGamma <= 1", v -> (Double) v > 0 && (Double) v <= 1));
        momentum = new DoubleParam(this, "momentum", "Momentum coefficient of the momentum optimizer (0 < m < 1).",
                ParamCheck.of("momentum", "0 < momentum < 1", v -> (Double) v > 0 && (Double) v < 1));
        weightDecay = new DoubleParam(this, "weightDecay", "L2 penalty on weights, not biases (>= 0).",
                ParamCheck.of("weightDecay", ">= 0", v -> (Double) v >= 0 && Double.isFinite((Double) v)));
        seed = new LongParam(this, "seed", "Seed of the initial weights and of every shuffle (any long).",
                ParamCheck.of("seed", "any long", v -> true));
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
        setDefault(modelType, defaultModelType);
        setDefault(hiddenLayers, new int[] {128});
        setDefault(activation, "relu");
        setDefault(epochs, 10);
        setDefault(batchSize, 128);
        setDefault(optimizer, "adam");
        setDefault(learningRate, 1e-3);
        setDefault(lrSchedule, "constant");
        setDefault(lrStepEpochs, 10);
        setDefault(lrGamma, 0.1);
        setDefault(momentum, 0.9);
        setDefault(weightDecay, 0.0);
        setDefault(seed, 42L);
        setDefault(numShards, 8);
        setDefault(featuresCol, "features");
        setDefault(labelCol, "label");
        setDefault(predictionCol, "prediction");
        setDefault(checkpointEverySteps, 0);
        setDefault(collectiveTimeout, 60);
    }

    private static boolean allPositive(int[] widths) {
        for (int w : widths) {
            if (w <= 0) {
                return false;
            }
        }
        return true;
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

    // Params, found by Spark through these methods.
    public Param<String> modelType() { return modelType; }
    public IntArrayParam hiddenLayers() { return hiddenLayers; }
    public Param<String> activation() { return activation; }
    public IntParam epochs() { return epochs; }
    public IntParam batchSize() { return batchSize; }
    public Param<String> optimizer() { return optimizer; }
    public DoubleParam learningRate() { return learningRate; }
    public Param<String> lrSchedule() { return lrSchedule; }
    public IntParam lrStepEpochs() { return lrStepEpochs; }
    public DoubleParam lrGamma() { return lrGamma; }
    public DoubleParam momentum() { return momentum; }
    public DoubleParam weightDecay() { return weightDecay; }
    public LongParam seed() { return seed; }
    public IntParam numWorkers() { return numWorkers; }
    public IntParam numShards() { return numShards; }
    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> labelCol() { return labelCol; }
    public Param<String> predictionCol() { return predictionCol; }
    public Param<String> checkpointDir() { return checkpointDir; }
    public IntParam checkpointEverySteps() { return checkpointEverySteps; }
    public IntParam collectiveTimeout() { return collectiveTimeout; }

    public E setModelType(String v) { set(modelType, v); return self(); }
    public E setHiddenLayers(int... v) { set(hiddenLayers, v.clone()); return self(); }
    public E setActivation(String v) { set(activation, v); return self(); }
    public E setEpochs(int v) { set(epochs, v); return self(); }
    public E setBatchSize(int v) { set(batchSize, v); return self(); }
    public E setOptimizer(String v) { set(optimizer, v); return self(); }
    public E setLearningRate(double v) { set(learningRate, v); return self(); }
    public E setLrSchedule(String v) { set(lrSchedule, v); return self(); }
    public E setLrStepEpochs(int v) { set(lrStepEpochs, v); return self(); }
    public E setLrGamma(double v) { set(lrGamma, v); return self(); }
    public E setMomentum(double v) { set(momentum, v); return self(); }
    public E setWeightDecay(double v) { set(weightDecay, v); return self(); }
    public E setSeed(long v) { set(seed, v); return self(); }
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
     * The Ringfold hyperparameters these Params describe: no standardisation and no held-out splits, as
     * {@code ringfold train --no-standardize --test-split 0} (Spark pipelines scale and split before).
     */
    TrainingConfig trainingConfig() {
        ObjectNode n = TrainingConfig.defaults().toJson();
        String type = getString(modelType);
        n.put("model", type);
        int[] hidden = (int[]) getOrDefault(hiddenLayers);
        var h = n.putArray("hidden");
        if (type.equals("mlp") || isSet(hiddenLayers)) {
            for (int w : hidden) {
                h.add(w);
            }
        }
        n.put("activation", getString(activation));
        if (!classification() && type.equals("mlp")) {
            n.put("loss", "mse");
        }
        n.put("epochs", getInt(epochs));
        n.put("batchSize", getInt(batchSize));
        n.put("optimizer", getString(optimizer));
        n.put("learningRate", (float) (double) (Double) getOrDefault(learningRate));
        n.put("lrSchedule", getString(lrSchedule));
        n.put("lrStepEpochs", getInt(lrStepEpochs));
        n.put("lrGamma", (float) (double) (Double) getOrDefault(lrGamma));
        n.put("momentum", (float) (double) (Double) getOrDefault(momentum));
        n.put("weightDecay", (float) (double) (Double) getOrDefault(weightDecay));
        n.put("seed", (Long) getOrDefault(seed));
        n.put("testSplit", 0.0);
        n.put("validationSplit", 0.0);
        n.put("standardize", false);
        try {
            return TrainingConfig.fromJson(n);
        } catch (IllegalArgumentException e) {
            // TrainingConfig names its own fields; say which param sets them.
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith("hidden:") ? "hiddenLayers:" + m.substring(7) : m, e);
        }
    }

    @Override
    public M fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        M model = BarrierFit.fit(this, dataset);
        return copyValues(model.setParent(this), extractParamMap());
    }

    @Override
    public StructType transformSchema(StructType schema) {
        SchemaCheck.input(schema, getString(featuresCol), getString(labelCol), true);
        return outputSchema(schema);
    }

    /** The input schema plus the columns the model writes. */
    abstract StructType outputSchema(StructType schema);
}
