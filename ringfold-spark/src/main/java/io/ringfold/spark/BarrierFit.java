package io.ringfold.spark;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.data.Preprocessor;
import io.ringfold.model.Provenance;
import io.ringfold.nn.Network;
import io.ringfold.nn.Shape;
import io.ringfold.train.EpochMetrics;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingRun;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code fit} on the driver: validate the params and the cluster and run the single barrier stage
 * ({@link BarrierTraining}): straight on the input when it has one partition per worker (the tasks read,
 * check and exchange the rows themselves), else after an input pass and a shuffle that routes each row
 * to the worker owning its shard. Only the parameters come back to the driver.
 */
final class BarrierFit {

    private BarrierFit() {
    }

    static <M extends RingfoldModel<M>> M fit(RingfoldEstimator<M, ?> est, Dataset<?> dataset) {
        TrainingConfig config = est.trainingConfig(dataset);
        boolean glm = config.model() != io.ringfold.model.ModelType.MLP;
        FitScaling scaling = new FitScaling(true, config.standardize(), !est.classification() && glm);
        Settings settings = new Settings(est.getString(est.featuresCol()), est.getString(est.labelCol()),
                est.weightColumn(), scaling,
                est.classification(), est.isSet(est.numWorkers()) ? est.getInt(est.numWorkers()) : 0,
                est.getInt(est.numShards()), est.getInt(est.collectiveTimeout()),
                est.isDefined(est.checkpointDir()) ? est.getString(est.checkpointDir()) : null,
                est.getInt(est.checkpointEverySteps()), est.failFirstAttemptAfterEpoch());
        Trained t = train(dataset, config, settings);
        Provenance provenance = Provenance.capture(config.toJson(), config.seed(), "spark: " + dataset.sparkSession()
                .sparkContext().appName() + " (" + t.rows + " rows, " + t.workers + " workers, " + t.shards
                + " shards)", "not computed", t.outcome.blas);
        io.ringfold.dpsgd.DpSgdPlan dp = config.dpSgdPlan(t.arch, Math.toIntExact(t.rows));
        if (dp != null) {
            // The guarantee of a private run (DP-SGD in the barrier tasks' exact data-parallel training).
            provenance = provenance.withPrivacy(dp.toJson(dp.stepsPerEpoch() * t.outcome.epochsRun));
        }
        io.ringfold.model.Model model = new io.ringfold.model.Model(t.arch, t.outcome.parameters,
                Preprocessor.identity(t.arch.inputSize()), List.of(), provenance);
        return est.newModel(est.uid(), model).withHistory(t.history(), t.outcome.attempt, t.outcome.epochsRun);
    }

    /**
     * Where the rows are and how to train them: columns (the weight column null when there is none), what the
     * tasks scale, task type, workers (0 = as many as the cluster's default parallelism allows, at most
     * {@code shards}), and the fault-tolerance settings.
     */
    record Settings(String featuresCol, String labelCol, String weightCol, FitScaling scaling, boolean classification,
                    int workers, int shards,
                    int collectiveTimeoutSeconds, String checkpointDir, int checkpointEverySteps,
                    int failFirstAttemptAfterEpoch) {
    }

    /** What came back from rank 0, with the architecture and layout the stage used. */
    record Trained(Network arch, TaskOutcome outcome, long rows, int workers, int shards) {

        List<EpochMetrics> history() {
            return BarrierFit.history(outcome.history);
        }

        /** As the data-parallel trainer reports it locally (no early stopping inside a barrier stage). */
        io.ringfold.train.TrainingResult result() {
            List<EpochMetrics> epochs = history();
            List<io.ringfold.train.RankTelemetry> telemetry = new ArrayList<>();
            for (String line : outcome.telemetry == null ? new String[0] : outcome.telemetry.split("\n")) {
                if (!line.isEmpty()) {
                    String[] f = line.split(",");
                    telemetry.add(new io.ringfold.train.RankTelemetry(Integer.parseInt(f[0]),
                            Double.parseDouble(f[1]), Double.parseDouble(f[2]), Long.parseLong(f[3])));
                }
            }
            return new io.ringfold.train.TrainingResult(outcome.parameters, epochs, epochs.size(), false,
                    outcome.trainSeconds, outcome.samplesSeen, workers, shards, telemetry);
        }
    }

    /**
     * The barrier-stage fit of {@code config} on {@code dataset}: every hyperparameter comes from the
     * config (the estimators build it from their Params; {@code ringfold train --engine spark} hands its
     * own over unchanged).
     */
    static Trained train(Dataset<?> dataset, TrainingConfig config, Settings settings) {
        int shards = settings.shards();
        SparkContext sc = dataset.sparkSession().sparkContext();
        int workers = settings.workers() > 0 ? settings.workers() : Math.min(sc.defaultParallelism(), shards);
        if (workers > shards) {
            throw new IllegalArgumentException("numWorkers: " + workers + " (expected: 1.." + shards
                    + ", at most numShards)");
        }
        // The full-batch solvers take every row at every iteration: no batches.
        if (config.batchSize() < shards && !config.resolvedSolver(1).fullBatch()) {
            throw new IllegalArgumentException("batchSize: " + config.batchSize() + " (expected: >= numShards, "
                    + shards + ", so that every shard contributes to every step)");
        }
        checkCluster(sc, workers);

        String featuresCol = settings.featuresCol();
        String labelCol = settings.labelCol();
        boolean classification = settings.classification();
        int metadataClasses = classification ? metadataClasses(dataset, labelCol) : 0;
        sc.setJobDescription("Ringfold " + config.model().id() + ": " + workers + " workers, " + shards + " shards");
        org.apache.spark.rdd.RDD<TaskOutcome> trained;
        scala.reflect.ClassTag<TaskOutcome> outcomeTag = scala.reflect.ClassTag$.MODULE$.apply(TaskOutcome.class);
        // The rows in Spark's internal form, label cast to double: what the one-pass path reads.
        org.apache.spark.rdd.RDD<org.apache.spark.sql.catalyst.InternalRow> internal = dataset.select(
                org.apache.spark.sql.functions.col(featuresCol),
                org.apache.spark.sql.functions.col(labelCol).cast(org.apache.spark.sql.types.DataTypes.DoubleType))
                .queryExecution().toRdd();
        String weightCol = settings.weightCol();
        if (weightCol == null && uniformWithinStage(internal, workers)) {
            // One input partition per worker: the stage runs on the input itself, reads and checks it in one
            // pass and the tasks exchange rows among themselves (ExchangedRows); no job before the stage and
            // no Spark shuffle of the data.
            BarrierTraining<org.apache.spark.sql.catalyst.InternalRow, PartitionBlock> task = new BarrierTraining<>(
                    config, new ExchangedRows(config.model(), workers, shards, classification, metadataClasses), shards,
                    settings.scaling(), settings.collectiveTimeoutSeconds(), settings.checkpointDir(),
                    settings.checkpointEverySteps(), settings.failFirstAttemptAfterEpoch());
            trained = internal.barrier().mapPartitions(task, false, outcomeTag);
        } else {
            // Otherwise one pass numbers the rows by their position in the input (row i goes to shard i mod S,
            // whatever the partitioning) and checks them; a shuffle then routes each row, keyed by position,
            // to the task of its shard's owner. Row weights take this path only.
            JavaRDD<Row> input = (weightCol == null ? dataset.select(featuresCol, labelCol)
                    : dataset.select(featuresCol, labelCol, weightCol)).toJavaRDD();
            InputPass.Result pass = InputPass.run(input, classification, metadataClasses);
            Layout layout = Layout.decide(pass.summary(), null, workers, shards, classification, metadataClasses,
                    config.model());
            boolean sparse = layout.sparse();
            JavaPairRDD<Long, LabeledRow> routed = InputPass.positioned(input, pass.offsets())
                    .mapToPair(t -> new Tuple2<>(t._2(), LabeledRow.of((Vector) t._1().get(0),
                            ((Number) t._1().get(1)).doubleValue(),
                            t._1().length() > 2 ? ((Number) t._1().get(2)).doubleValue() : 1, sparse)))
                    .partitionBy(new RowsByOwner(workers, shards));
            BarrierTraining<Tuple2<Long, LabeledRow>, io.ringfold.parallel.OwnedRows> task = new BarrierTraining<>(
                    config, new RoutedRows(layout, workers, shards, weightCol != null), shards, settings.scaling(),
                    settings.collectiveTimeoutSeconds(),
                    settings.checkpointDir(), settings.checkpointEverySteps(), settings.failFirstAttemptAfterEpoch());
            trained = routed.rdd().barrier().mapPartitions(task, false, outcomeTag);
        }
        // Spark retries a failed barrier stage only when it is a shuffle map stage (a failed barrier result
        // stage aborts the job), so the outcomes pass through a one-partition shuffle to the driver.
        List<TaskOutcome> collected = trained.toJavaRDD().repartition(1).collect();
        sc.setJobDescription(null);
        TaskOutcome result = null;
        for (TaskOutcome o : collected) {
            if (o.error != null) {
                throw new IllegalArgumentException(o.error);
            }
            if (o.rank == 0) {
                result = o;
            }
        }
        if (result == null || result.parameters == null) {
            throw new IllegalStateException("the barrier stage returned no parameters from rank 0");
        }
        Network arch = TrainingRun.network(config, Shape.vector(result.width), result.classes);
        return new Trained(arch, result, result.rows, workers, shards);
    }

    /**
     * Whether {@code rdd} and every ancestor reached through narrow dependencies (its stage) have exactly
     * {@code partitions} partitions: the pattern Spark accepts in a barrier stage (a coalesce or union inside
     * the stage is refused, SPARK-24820).
     */
    static boolean uniformWithinStage(org.apache.spark.rdd.RDD<?> rdd, int partitions) {
        if (rdd.getNumPartitions() != partitions) {
            return false;
        }
        scala.collection.Iterator<org.apache.spark.Dependency<?>> deps = rdd.dependencies().iterator();
        while (deps.hasNext()) {
            org.apache.spark.Dependency<?> d = deps.next();
            if (d instanceof org.apache.spark.NarrowDependency<?> && !uniformWithinStage(d.rdd(), partitions)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Barrier mode needs every task running at once: refuse dynamic allocation (executors may come and
     * go) and a cluster with fewer task slots than workers, which Spark would otherwise retry for minutes.
     */
    private static void checkCluster(SparkContext sc, int workers) {
        if (sc.conf().getBoolean("spark.dynamicAllocation.enabled", false)) {
            throw new IllegalArgumentException("spark.dynamicAllocation.enabled: true (expected: false; a barrier "
                    + "stage needs all its tasks running at once)");
        }
        // private[spark] in Scala, public in the bytecode: the same check Spark's barrier scheduling makes.
        int slots = sc.maxNumConcurrentTasks(sc.resourceProfileManager().defaultResourceProfile());
        if (slots < workers) {
            throw new IllegalArgumentException("numWorkers: " + workers + " (expected: at most the " + slots
                    + " task slots the cluster has free now; a barrier stage runs all its tasks at once)");
        }
    }

    /**
     * The class count of {@code labelCol}: from its nominal metadata, else the largest label + 1 (one Spark job,
     * as MLlib's classifiers run when the metadata does not say).
     */
    static int labelClasses(Dataset<?> dataset, String labelCol) {
        int fromMetadata = metadataClasses(dataset, labelCol);
        if (fromMetadata > 0) {
            return fromMetadata;
        }
        Row max = dataset.agg(org.apache.spark.sql.functions.max(org.apache.spark.sql.functions.col(labelCol)
                .cast(org.apache.spark.sql.types.DataTypes.DoubleType))).head();
        // Bad labels (none, negative, fractional) are reported by the fit's own checks.
        return max.isNullAt(0) ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(0, max.getDouble(0) + 1));
    }

    private static int metadataClasses(Dataset<?> dataset, String labelCol) {
        Attribute a = Attribute.fromStructField(dataset.schema().apply(labelCol));
        if (a instanceof NominalAttribute n && n.getNumValues().isDefined()) {
            return (Integer) n.getNumValues().get();
        }
        return 0;
    }


    private static List<EpochMetrics> history(String lines) {
        List<EpochMetrics> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : lines.split("\n")) {
            if (!line.isEmpty()) {
                try {
                    out.add(EpochMetrics.fromJson(json.readTree(line)));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException("training history from rank 0: " + e.getMessage(), e);
                }
            }
        }
        return out;
    }
}
