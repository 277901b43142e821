package io.ringfold.spark;

import io.ringfold.train.EpochMetrics;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@link RingfoldClassificationModel} and {@link RingfoldRegressionModel} share: a trained Ringfold
 * model (immutable), scoring on the executors with the model broadcast once per model instance, Spark
 * ML persistence ({@link RingfoldModelIO}) and export into a serving repository.
 *
 * @param <M> the concrete model
 */
public abstract class RingfoldModel<M extends RingfoldModel<M>> extends Model<M> implements MLWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;
    private final io.ringfold.model.Model model;
    private final Param<String> featuresCol;
    private final Param<String> predictionCol;
    private transient List<EpochMetrics> history = List.of();
    private transient int fitAttempt = -1;
    private transient int epochsInFitAttempt;
    private transient Broadcast<ScoringPartition.Payload> broadcast;

    protected RingfoldModel(String uid, io.ringfold.model.Model model) {
        this.uid = uid;
        this.model = model;
        featuresCol = new Param<>(this, "featuresCol", "Features column (ml Vector of the training width).",
                ParamCheck.nonEmpty("featuresCol"));
        predictionCol = new Param<>(this, "predictionCol", "Prediction column ('' = none).",
                ParamCheck.of("predictionCol", "a column name or ''", v -> v != null));
        setDefault(featuresCol, "features");
        setDefault(predictionCol, "prediction");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> featuresCol() { return featuresCol; }
    public Param<String> predictionCol() { return predictionCol; }

    @SuppressWarnings("unchecked")
    public M setFeaturesCol(String v) { set(featuresCol, v); return (M) this; }
    @SuppressWarnings("unchecked")
    public M setPredictionCol(String v) { set(predictionCol, v); return (M) this; }

    /** The trained Ringfold model: architecture, parameters, provenance (seed and hyperparameters). */
    public io.ringfold.model.Model ringfoldModel() {
        return model;
    }

    /** SHA-256 of the parameters, as {@code ringfold inspect} prints it: equal digests, identical bits. */
    public String parameterDigest() {
        return model.parameterDigest();
    }

    public int numFeatures() {
        return model.inputWidth();
    }

    /** Per-epoch metrics of the fit that produced this model; empty for a loaded model. */
    public List<EpochMetrics> trainingHistory() {
        return history;
    }

    /** Stage attempt of the fit that produced this model (0 = first; -1 = loaded or copied). */
    int fitAttempt() {
        return fitAttempt;
    }

    /** Epochs that stage attempt ran itself, fewer than the history when it resumed from a checkpoint. */
    int epochsInFitAttempt() {
        return epochsInFitAttempt;
    }

    @SuppressWarnings("unchecked")
    M withHistory(List<EpochMetrics> epochs, int attempt, int epochsRun) {
        history = List.copyOf(epochs);
        fitAttempt = attempt;
        epochsInFitAttempt = epochsRun;
        return (M) this;
    }

    String getString(Param<String> p) {
        return (String) getOrDefault(p);
    }

    /** Raw-prediction and probability column names ('' = not written); a regressor writes neither. */
    abstract String rawPredictionColumn();

    abstract String probabilityColumn();

    /** The decision threshold on P(class 1) of a binary classifier (unused otherwise). */
    abstract double binaryThreshold();

    /** A multi-class classifier's per-class thresholds, or null for the argmax. */
    abstract double[] perClassThresholds();

    @Override
    public StructType transformSchema(StructType schema) {
        SchemaCheck.input(schema, getString(featuresCol), null, false);
        return SchemaCheck.withOutputs(schema, rawPredictionColumn(), probabilityColumn(), getString(predictionCol));
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType out = transformSchema(dataset.schema());
        Dataset<Row> df = dataset.toDF();
        int features = java.util.Arrays.asList(df.schema().fieldNames()).indexOf(getString(featuresCol));
        ScoringPartition scoring = new ScoringPartition(broadcast(df.sparkSession().sparkContext()), features,
                !rawPredictionColumn().isEmpty(), !probabilityColumn().isEmpty(), !getString(predictionCol).isEmpty(),
                binaryThreshold(), perClassThresholds());
        return df.mapPartitions(scoring, Encoders.row(out));
    }

    /** The model's bytes broadcast once, on the first transform, and reused by later ones. */
    private synchronized Broadcast<ScoringPartition.Payload> broadcast(org.apache.spark.SparkContext sc) {
        if (broadcast == null) {
            broadcast = JavaSparkContext.fromSparkContext(sc).broadcast(
                    new ScoringPartition.Payload(ModelBytes.encode(model)));
        }
        return broadcast;
    }

    /**
     * Writes this model as version {@code version} of {@code name} in the serving repository
     * {@code repoDir} (a local directory), which {@code ringfold serve --models repoDir} loads unchanged.
     * Returns the model file written.
     */
    public Path exportTo(Path repoDir, String name, long version) throws IOException {
        return ServingExport.write(model, repoDir, name, version);
    }

    @Override
    public MLWriter write() {
        return new RingfoldModelIO.Writer(this);
    }
}
