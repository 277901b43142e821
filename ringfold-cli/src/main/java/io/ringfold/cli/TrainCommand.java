package io.ringfold.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.ColumnMasks;
import io.ringfold.data.DataSpec;
import io.ringfold.data.Preprocessor;
import io.ringfold.model.ModelCodec;
import io.ringfold.parallel.CheckpointPolicy;
import io.ringfold.parallel.DataParallelTrainer;
import io.ringfold.parallel.PipelinePlan;
import io.ringfold.parallel.PipelineSchedule;
import io.ringfold.parallel.PipelineThreads;
import io.ringfold.parallel.PipelineTrainer;
import io.ringfold.parallel.WorkerThreads;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.train.StoredPreprocessing;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ringfold train}: load data, train one model, evaluate it on the held-out test set, save it. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        modelTransformer = HyperparameterFlags.class,
        description = {"Train a model and save it to --out DIR (DIR/model.rfm).",
                "Data SPEC: digits (bundled), fashion-mnist (Debian package dataset-fashion-mnist),",
                "  csv:PATH[?label=COL&header=false&delimiter=;&categorical=a,b&text=COL&weight=COL],",
                "  libsvm:PATH[?features=N], idx:IMAGES,LABELS."})
final class TrainCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "SPEC", description = "Training data.")
    String data;

    @Option(names = "--test", paramLabel = "SPEC", description = "Test data; default: the data set's own test part, "
            + "else a --test-split fraction held out.")
    String test;

    // The hyperparameter flags (--model, --hidden, --layers, --lr, ...) come from their declarations:
    // HyperparameterFlags adds them here.

    @Option(names = "--architecture", paramLabel = "FILE", description = "A JSON file with the network's layers, "
            + "{\"layers\": [{\"type\": \"conv2d\", \"filters\": 20, \"kernel\": 5}, ...]} and optionally "
            + "\"input\": [1, 28, 28]; instead of --layers (docs/networks.md).")
    Path architecture;

    @picocli.CommandLine.Mixin
    PreprocessingFlags preprocessingFlags;

    @picocli.CommandLine.Mixin
    MaskKeyFlag maskKey;

    @Option(names = "--preprocessing", paramLabel = "DIR", description = "Use the preprocessing stored in DIR by "
            + "ringfold preprocess instead of fitting one; the data must have its columns, and --impute, "
            + "--no-standardize, --unseen-categories, --mask, --vocab-size and --ngrams may only repeat its own.")
    Path preprocessingDir;

    @Option(names = "--workers", description = "Data-parallel worker threads with AllReduce between them; results are "
            + "bit-identical for any count up to --shards (default: none, the single-process trainer).")
    Integer workers;

    @Option(names = "--shards", description = "Logical shards of each batch in data-parallel training; fixed, so "
            + "results do not depend on the worker count (default: 8).")
    Integer shards;

    @Option(names = "--pipeline-stages", paramLabel = "K", description = "Pipeline parallelism: cut the network into K "
            + "stages at layer boundaries, one worker each; with --workers N, N replicas of the pipeline (K x N threads);"
            + " with processes, the world size is K x N. Bit-identical to one worker (docs/model-parallel.md).")
    Integer pipelineStages;

    @Option(names = "--micro-batches", paramLabel = "M", description = "Pipeline: micro-batches each replica's share "
            + "of a batch is split into, each made of whole logical shards (default: one shard each, --shards / N).")
    Integer microBatches;

    @Option(names = "--stage-boundaries", paramLabel = "I,J,...", description = "Pipeline: the layer index (0-based, "
            + "output layer last) where each stage after the first begins, e.g. 4,7 for 3 stages (default: balanced "
            + "by parameters and measured time).")
    String stageBoundaries;

    @Option(names = "--pipeline-schedule", paramLabel = "NAME", description = "Pipeline: 1f1b (one forward, one "
            + "backward: holds at most K micro-batches' activations; default) or gpipe (fill-drain: holds all M).")
    String pipelineSchedule;

    @Option(names = "--allreduce", paramLabel = "MODE", description = "exact: int64 fixed-point sums, bit-identical "
            + "for any worker count (default); float32: faster, the last bits depend on the worker count.")
    String allreduce;

    @Option(names = "--shard-embeddings", description = "Split the embeddingbag layer's table by rows over the "
            + "data-parallel workers: each holds and updates only its rows (exact mode; bit-identical to one worker; "
            + "docs/model-parallel.md).")
    boolean shardEmbeddings;

    @Option(names = "--collective-timeout", paramLabel = "SECONDS",
            description = "Deadline of each collective operation between workers (default: 60).")
    Integer collectiveTimeout;

    @Option(names = "--rank", description = "This process's rank in multi-process training (with --world-size and "
            + "--rendezvous). Without these three flags (and --workers), they come from the environment when it sets "
            + "them: RANK or JOB_COMPLETION_INDEX, WORLD_SIZE or RINGFOLD_WORLD_SIZE, MASTER_ADDR and MASTER_PORT or "
            + "RINGFOLD_RENDEZVOUS (deploy/README.md).")
    Integer rank;

    @Option(names = "--world-size", description = "Number of worker processes in multi-process training.")
    Integer worldSize;

    @Option(names = "--rendezvous", paramLabel = "HOST:PORT", description = "Where rank 0 listens and the other "
            + "ranks connect (multi-process training).")
    String rendezvous;

    @Option(names = "--transport", paramLabel = "KIND", description = "How worker processes exchange data: auto "
            + "(shared memory when every rank is on this host, else TCP; default), tcp, or shm (every rank on this host).")
    String transport;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Where rank 0 writes checkpoints "
            + "(data-parallel training; default: none).")
    Path checkpointDir;

    @Option(names = "--checkpoint-every-steps", paramLabel = "N", description = "Checkpoint every N steps (default: 0, off).")
    Integer checkpointSteps;

    @Option(names = "--checkpoint-every-epochs", paramLabel = "N",
            description = "Checkpoint every N epochs (default: 1 when --checkpoint-dir is given).")
    Integer checkpointEpochs;

    @Option(names = "--resume", description = "Continue from the checkpoint in --checkpoint-dir if there is one; the "
            + "result is bit-identical to an uninterrupted run.")
    boolean resume;

    @Option(names = "--engine", paramLabel = "ENGINE", description = "local (threads or processes, default) or spark: "
            + "the same data-parallel training in one Spark barrier stage (see docs/spark.md).")
    String engine;

    @Option(names = "--master", paramLabel = "MASTER", description = "Spark master URL for --engine spark "
            + "(default: local[W] with W = --workers).")
    String master;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object with the results as the last line.")
    boolean json;

    /** Set by a Spark run, for the summary. */
    private SparkEngine sparkEngine;

    /** Where the rendezvous variables are read (RendezvousEnvironment); a map in tests. */
    java.util.function.Function<String, String> environment = System::getenv;

    /** The rendezvous read from the environment, when no flag gave one; null otherwise. */
    private RendezvousEnvironment fromEnvironment;

    @Override
    public Integer call() throws Exception {
        java.time.Instant started = java.time.Instant.now();
        long t0 = System.nanoTime();
        PrintWriter w = spec.commandLine().getOut();
        rendezvousFromEnvironment(w);
        TrainingConfig config = config();
        StoredPreprocessing stored = preprocessingDir == null ? null : StoredPreprocessing.read(preprocessingDir);
        ColumnMasks masks;
        DataSpec trainSpec;
        io.ringfold.train.Preprocessing preprocessing;
        if (stored == null) {
            masks = preprocessingFlags.masks(maskKey);
            trainSpec = preprocessingFlags.apply(DataSpec.parse(data), maskKey);
            preprocessing = new io.ringfold.train.Preprocessing.Fit(masks);
        } else {
            config = StoredPreprocessingFlags.check(spec, config, stored, preprocessingFlags, maskKey, w);
            Preprocessor pre = maskKey.key().map(stored.preprocessor()::withMaskKey).orElse(stored.preprocessor());
            masks = pre.masks();
            // Read against the stored columns, so that categories get the codes the preprocessing knows.
            trainSpec = DataSpec.parse(data).readAgainst(stored.inputSchema()).withMasks(masks);
            preprocessing = new io.ringfold.train.Preprocessing.Stored(pre);
        }
        DataSpec.LoadedData loaded = trainSpec.load();
        if (test != null) {
            // Read against the training file's columns, so that categories keep their codes and unseen ones are known.
            DataSpec testSpec = DataSpec.parse(test).readAgainst(loaded.train().schema()).withMasks(masks);
            loaded = new DataSpec.LoadedData(loaded.train(), java.util.Optional.of(testSpec.load().train()));
        }
        boolean spark = "spark".equals(engine);
        boolean parallel = workers != null || pipelineStages != null || rendezvous != null || spark;
        Blas blas = parallel ? BlasSelection.createRequested(1) : Blas.get();
        w.println("data: " + trainSpec.describe() + ", " + loaded.train().size() + " rows, "
                + loaded.train().numFeatures() + " features" + loaded.test().map(t -> ", test " + t.size() + " rows").orElse(""));
        w.println("blas: " + blas.name());
        boolean terminal = System.console() != null && !json;
        ProgressReporter progress = new ProgressReporter(w, terminal, config.epochs());
        TrainingRun.Outcome outcome;
        Duration timeout = Duration.ofSeconds(collectiveTimeout == null ? 60 : collectiveTimeout);
        if (rendezvous != null) {
            int s = shards == null ? DEFAULT_SHARDS : shards;
            java.net.InetSocketAddress at = io.ringfold.collective.TcpEndpoint.parse(rendezvous);
            w.println("rank " + rank + "/" + worldSize + ": joining " + rendezvous + ", " + s + " logical shards");
            try (io.ringfold.collective.Communicator comm = transport().over(join(at, timeout))) {
                w.println("transport: " + comm.describe() + fixedPointNote());
                if (pipelineStages != null) {
                    PipelineTrainer trainer = new PipelineTrainer(config, blas, s, pipelinePlan(worldSize / pipelineStages));
                    w.println("pipeline: " + trainer.pipeline() + "; this rank is stage " + rank / (worldSize / pipelineStages)
                            + " of replica " + rank % (worldSize / pipelineStages));
                    try (io.ringfold.collective.Communicator group = stageGroup(comm, worldSize / pipelineStages)) {
                        outcome = TrainingRun.run(loaded, config, blas, progress, pipelineFlags((arch, x, y, wt, xv, yv, l) ->
                                trainer.fit(comm, group, arch, x, y, wt, xv, yv, rank == 0 ? l : TrainingListener.NONE,
                                        checkpointPolicy())), preprocessing);
                    }
                } else {
                    DataParallelTrainer trainer = new DataParallelTrainer(config, blas, s, exact(), shardEmbeddings);
                    outcome = TrainingRun.run(loaded, config, blas, progress, (arch, x, y, wt, xv, yv, l) ->
                            trainer.fit(comm, arch, x, y, wt, xv, yv, rank == 0 ? l : TrainingListener.NONE,
                                    checkpointPolicy()), preprocessing);
                }
            }
            printTelemetry(w, outcome);
            if (rank != 0) {
                w.println("rank " + rank + " done; rank 0 writes the model (parameter_digest "
                        + outcome.model().parameterDigest() + ")");
                return 0;
            }
        } else if (spark) {
            int s = shards == null ? DEFAULT_SHARDS : shards;
            int wk = workers == null ? Math.min(Runtime.getRuntime().availableProcessors(), s) : workers;
            String classpath = System.getenv(SparkEngine.CLASSPATH_ENV);
            if (classpath == null || classpath.isBlank()) {
                throw new IllegalStateException("--engine spark: " + SparkEngine.CLASSPATH_ENV + " is not set (expected: "
                        + "run through ./ringfold, which builds ringfold-spark and sets it, or set it to the ringfold-spark "
                        + "jar and its dependencies, Spark included)");
            }
            if (System.getenv(SparkEngine.JVM_OPTIONS_ENV) == null) {
                throw new IllegalStateException("--engine spark: " + SparkEngine.JVM_OPTIONS_ENV + " is not set (expected: "
                        + "run through ./ringfold, or set it to the contents of ringfold-spark/target/spark-jvm-options.txt)");
            }
            sparkEngine = new SparkEngine(master == null ? "local[" + wk + "]" : master, config, wk, s,
                    collectiveTimeout == null ? 60 : collectiveTimeout, checkpointDir,
                    checkpointSteps == null ? 0 : checkpointSteps, classpath, w);
            outcome = TrainingRun.run(loaded, config, blas, progress, sparkEngine.fitter(), preprocessing);
            outcome.result().telemetry().forEach(t -> w.println(t.describe()));
        } else if (pipelineStages != null) {
            int s = shards == null ? DEFAULT_SHARDS : shards;
            int replicas = workers == null ? 1 : workers;
            PipelineTrainer trainer = new PipelineTrainer(config, blas, s, pipelinePlan(replicas));
            w.println("pipeline: " + trainer.pipeline() + ", " + replicas + " replica" + (replicas == 1 ? "" : "s") + " ("
                    + pipelineStages * replicas + " threads), " + s + " logical shards" + fixedPointNote());
            outcome = TrainingRun.run(loaded, config, blas, progress, pipelineFlags(PipelineThreads.fitter(trainer,
                    replicas, timeout, checkpointPolicy())), preprocessing);
            printTelemetry(w, outcome);
        } else if (workers == null) {
            outcome = TrainingRun.run(loaded, config, blas, progress, new io.ringfold.train.Trainer(config, blas)::fit,
                    preprocessing);
        } else {
            int s = shards == null ? DEFAULT_SHARDS : shards;
            w.println("workers: " + workers + " threads, " + s + " logical shards, BLAS one thread per worker"
                    + fixedPointNote());
            outcome = TrainingRun.run(loaded, config, blas, progress, WorkerThreads.fitter(
                    new DataParallelTrainer(config, blas, s, exact(), shardEmbeddings), workers, timeout,
                    checkpointPolicy()), preprocessing);
            outcome.result().telemetry().forEach(t -> w.println(t.describe()));
        }
        List<String> dropped = outcome.model().preprocessor().droppedColumns();
        if (!dropped.isEmpty()) {
            w.println("note: " + dropped.size() + " constant column" + (dropped.size() == 1 ? "" : "s") + " dropped from"
                    + " the model's input (one value in every training row; rows to predict still carry "
                    + (dropped.size() == 1 ? "it" : "them") + "): " + String.join(", ", dropped));
        }
        w.println("model: " + outcome.model().network().describe());
        Path file = ModelCodec.save(outcome.model(), out, outcome.evaluation());
        ObjectNode result = Results.summary(outcome, file);
        if (pipelineStages != null) {
            result.set("pipeline", Results.pipeline(pipelinePlan(outcome.result().workers() / pipelineStages),
                    outcome.result().stages()));
        }
        String id = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(started) + "-" + outcome.model().parameterDigest().substring(0, 8);
        result.put("run_id", id);
        if (sparkEngine != null) {
            result.put("engine", "spark");
            result.put("spark_master", sparkEngine.lastResult().path("spark_master").asText());
            result.put("spark_version", sparkEngine.lastResult().path("spark_version").asText());
        }
        new io.ringfold.runs.FileRunStore(out).save(new io.ringfold.runs.RunRecord(id, started.toString(),
                (System.nanoTime() - t0) / 1e9, spec.commandLine().getParseResult().originalArgs(), result,
                outcome.result().epochs(), out));
        if (json) {
            w.println(result.toString());
        } else {
            w.println(Results.describe(result));
        }
        return 0;
    }

    /** Per-rank telemetry, or per stage for a pipeline (its last epoch's, with each stage's layers). */
    private static void printTelemetry(PrintWriter w, TrainingRun.Outcome outcome) {
        List<io.ringfold.train.StageTelemetry> stages = outcome.result().stages();
        if (stages.isEmpty()) {
            outcome.result().telemetry().forEach(t -> w.println(t.describe()));
            return;
        }
        int last = stages.get(stages.size() - 1).epoch();
        stages.stream().filter(t -> t.epoch() == last).forEach(t -> w.println(t.describe()));
    }

    /** The pipeline the flags describe, for {@code replicas} data-parallel replicas. */
    private PipelinePlan pipelinePlan(int replicas) {
        int s = shards == null ? DEFAULT_SHARDS : shards;
        return new PipelinePlan(pipelineStages, microBatches == null ? s / replicas : microBatches,
                pipelineSchedule == null ? PipelineSchedule.ONE_F_ONE_B : PipelineSchedule.parse(pipelineSchedule),
                stageBoundaries == null ? null : PipelinePlan.parseBoundaries(stageBoundaries));
    }

    /**
     * The communicator of this process's stage's replicas: the world split by stage, or a group of one when
     * there is one replica (no connections to make).
     */
    private io.ringfold.collective.Communicator stageGroup(io.ringfold.collective.Communicator world, int replicas) {
        if (replicas == 1) {
            return new io.ringfold.collective.InProcessGroup(1, world.timeout()).communicator(0);
        }
        return world.split(world.rank() / replicas, world.rank() % replicas);
    }

    /** A constant, not derived from cores or workers, so that defaults reproduce across machines. */
    static final int DEFAULT_SHARDS = 8;

    /**
     * Reads --rank/--world-size/--rendezvous from the environment (RendezvousEnvironment) when none of them,
     * nor --workers or --engine spark, is given: flags win, and the environment is not read at all then.
     */
    private void rendezvousFromEnvironment(PrintWriter w) {
        if (rank != null || worldSize != null || rendezvous != null || workers != null || "spark".equals(engine)) {
            return;
        }
        try {
            fromEnvironment = RendezvousEnvironment.read(environment).orElse(null);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "environment: " + e.getMessage());
        }
        if (fromEnvironment != null) {
            rank = fromEnvironment.rank();
            worldSize = fromEnvironment.worldSize();
            rendezvous = fromEnvironment.rendezvous();
            w.println(fromEnvironment.describe());
        }
    }

    /**
     * Joins the rendezvous at {@code at}. From the environment, as torchrun does, rank 0 listens on every
     * interface rather than on MASTER_ADDR (on Kubernetes its own DNS name may not resolve yet when it
     * starts), and the other ranks wait, within the timeout, for that name to resolve.
     */
    private io.ringfold.collective.TcpCommunicator join(java.net.InetSocketAddress at, Duration timeout) {
        if (fromEnvironment == null) {
            return io.ringfold.collective.TcpRendezvous.join(at.getHostString(), at.getPort(), rank, worldSize, timeout);
        }
        if (rank == 0) {
            return io.ringfold.collective.TcpRendezvous.join(io.ringfold.collective.TcpEndpoint.bind("0.0.0.0", at.getPort()),
                    at, 0, worldSize, io.ringfold.collective.TcpOptions.defaults(timeout));
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                java.net.InetAddress.getByName(at.getHostString());
                break;
            } catch (java.net.UnknownHostException e) {
                if (System.nanoTime() - deadline > 0) {
                    throw new io.ringfold.collective.CollectiveException("rendezvous on rank " + rank + "/" + worldSize
                            + ": " + at.getHostString() + " did not resolve within " + timeout.toSeconds()
                            + " s (expected: rank 0's host name, e.g. its pod's name under a headless Service)");
                }
                sleepQuietly(500);
            }
        }
        return io.ringfold.collective.TcpRendezvous.join(at.getHostString(), at.getPort(), rank, worldSize, timeout);
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.ringfold.collective.CollectiveException("interrupted while waiting for the rendezvous host");
        }
    }

    private io.ringfold.collective.Transport transport() {
        return transport == null ? io.ringfold.collective.Transport.AUTO : io.ringfold.collective.Transport.parse(transport);
    }

    private boolean exact() {
        return allreduce == null || allreduce.equals("exact");
    }

    private CheckpointPolicy checkpointPolicy() {
        if (checkpointDir == null) {
            return CheckpointPolicy.none();
        }
        return new CheckpointPolicy(checkpointDir, checkpointSteps == null ? 0 : checkpointSteps,
                checkpointEpochs == null ? (checkpointSteps == null ? 1 : 0) : checkpointEpochs, resume);
    }

    private void checkParallelFlags(TrainingConfig config) {
        boolean process = rank != null || worldSize != null || rendezvous != null;
        checkEngineFlags(process, config);
        if (process && (rank == null || worldSize == null || rendezvous == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--rank, --world-size and --rendezvous go together (expected: all three for multi-process training)");
        }
        if (process && workers != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--workers with --rank: a process is one worker (expected: one of threads or processes)");
        }
        if (process && (worldSize <= 0 || rank < 0 || rank >= worldSize)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rank " + rank + " --world-size "
                    + worldSize + " (expected: 0 <= rank < world size)");
        }
        checkPipelineFlags(process);
        if (process && pipelineStages == null && worldSize > (shards == null ? DEFAULT_SHARDS : shards)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--world-size: " + worldSize
                    + " (expected: at most --shards, " + (shards == null ? DEFAULT_SHARDS : shards) + ")");
        }
        if (allreduce != null && !allreduce.equals("exact") && !allreduce.equals("float32")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--allreduce: " + allreduce
                    + " (expected: exact or float32)");
        }
        if (workers == null && pipelineStages == null && !process && !"spark".equals(engine) && (allreduce != null || shards != null || collectiveTimeout != null || checkpointDir != null || resume)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--shards, --allreduce, --collective-timeout, "
                    + "--checkpoint-dir and --resume apply to data-parallel training (expected: with --workers N)");
        }
        if (shardEmbeddings && workers == null && !process) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--shard-embeddings without workers "
                    + "(expected: with --workers N, or processes from launch --nproc N, to split the table over)");
        }
        if (transport != null && !process) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--transport: " + transport
                    + " without --rendezvous (expected: with --rank/--world-size/--rendezvous, as launch sets them)");
        }
        if (transport != null) {
            try {
                io.ringfold.collective.Transport.parse(transport);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
            }
        }
        if (process) {
            try {
                io.ringfold.collective.TcpEndpoint.parse(rendezvous);
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rendezvous: " + e.getMessage());
            }
        }
        if (checkpointDir == null && (checkpointSteps != null || checkpointEpochs != null || resume)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--checkpoint-every-*/--resume: no --checkpoint-dir (expected: --checkpoint-dir DIR)");
        }
        if (checkpointSteps != null && checkpointSteps < 0 || checkpointEpochs != null && checkpointEpochs < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--checkpoint-every-*: negative (expected: >= 0)");
        }
        if (workers != null && workers <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--workers: " + workers + " (expected: > 0)");
        }
        if (shards != null && shards <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--shards: " + shards + " (expected: > 0)");
        }
        int s = shards == null ? DEFAULT_SHARDS : shards;
        if (workers != null && workers > s) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--workers: " + workers
                    + " (expected: at most --shards, " + s + ")");
        }
        if (collectiveTimeout != null && collectiveTimeout <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--collective-timeout: "
                    + collectiveTimeout + " (expected: > 0 seconds)");
        }
    }

    /** Pipeline flags: each value checked alone, then the plan against the workers and shards. */
    private void checkPipelineFlags(boolean process) {
        if (pipelineStages == null) {
            String given = microBatches != null ? "--micro-batches" : stageBoundaries != null ? "--stage-boundaries"
                    : pipelineSchedule != null ? "--pipeline-schedule" : null;
            if (given != null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), given + " without --pipeline-stages"
                        + " (expected: --pipeline-stages K with it)");
            }
            return;
        }
        String refused = "spark".equals(engine) ? "--engine spark (a barrier stage runs data parallelism only)"
                : shardEmbeddings ? "--shard-embeddings (the first stage holds the embedding table whole)"
                : allreduce != null && !allreduce.equals("exact") ? "--allreduce " + allreduce + " (pipelines run the "
                + "exact mode)" : null;
        if (refused != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--pipeline-stages with " + refused
                    + " (expected: without it)");
        }
        if (process && pipelineStages > 0 && worldSize % pipelineStages != 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--world-size: " + worldSize
                    + " (expected: a multiple of --pipeline-stages " + pipelineStages + ", one pipeline per replica)");
        }
        int replicas = process ? Math.max(1, worldSize / Math.max(1, pipelineStages)) : workers == null ? 1 : workers;
        int s = shards == null ? DEFAULT_SHARDS : shards;
        if (pipelineStages > 0 && s % replicas != 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), (process ? "--world-size: "
                    + worldSize + " (" + replicas + " replicas of " + pipelineStages + " stages; " : "--workers: " + replicas
                    + " (") + "expected: replicas that divide the " + s + " logical shards (--shards), so that each "
                    + "pipeline takes whole shards)");
        }
        try {
            PipelinePlan plan = pipelinePlan(replicas);
            plan.checkShards(s, replicas);
        } catch (IllegalArgumentException e) {
            throw pipelineFlagError(e);
        }
    }

    /**
     * A pipeline plan's refusal as the flag's usage error ({@code microBatches: 3 (...)} as {@code --micro-batches:
     * 3 (...)}); other failures as they are. The network's checks (stages against layers) come only once the
     * data has made it, so training runs them too.
     */
    private RuntimeException pipelineFlagError(IllegalArgumentException e) {
        String m = e.getMessage();
        String flag = m.startsWith("pipelineStages:") ? "--pipeline-stages" : m.startsWith("microBatches:")
                ? "--micro-batches" : m.startsWith("stageBoundaries:") ? "--stage-boundaries"
                : m.startsWith("pipelineSchedule:") ? "--pipeline-schedule" : null;
        return flag == null ? e : new picocli.CommandLine.ParameterException(spec.commandLine(),
                flag + m.substring(m.indexOf(':')));
    }

    /** {@code fitter} with the pipeline plan's refusals (checked against the network) as usage errors. */
    private io.ringfold.train.Fitter pipelineFlags(io.ringfold.train.Fitter fitter) {
        return (net, x, y, w, xVal, yVal, listener) -> {
            try {
                return fitter.fit(net, x, y, w, xVal, yVal, listener);
            } catch (IllegalArgumentException e) {
                throw pipelineFlagError(e);
            }
        };
    }

    private void checkEngineFlags(boolean process, TrainingConfig config) {
        if (engine != null && !engine.equals("local") && !engine.equals("spark")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--engine: " + engine
                    + " (expected: local or spark)");
        }
        boolean spark = "spark".equals(engine);
        if (master != null && !spark) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--master without --engine spark (expected: --engine spark --master MASTER)");
        }
        if (!spark) {
            return;
        }
        // What a barrier stage does not do (yet); each refused by name rather than silently ignored.
        String refused = process ? "--rank/--world-size/--rendezvous (Spark places the workers)"
                : allreduce != null && !allreduce.equals("exact") ? "--allreduce " + allreduce + " (Spark runs exact sums)"
                : config.validationSplit() > 0 ? "--validation-split (no validation inside the stage)"
                : config.patience() > 0 ? "--patience (no early stopping inside the stage)"
                : resume ? "--resume (a retried stage resumes by itself)"
                : shardEmbeddings ? "--shard-embeddings (the table is whole in a barrier stage)"
                : checkpointEpochs != null && checkpointEpochs != 1 ? "--checkpoint-every-epochs " + checkpointEpochs
                        + " (Spark checkpoints every epoch or every --checkpoint-every-steps N)"
                : null;
        if (refused != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--engine spark with " + refused
                    + " (expected: without it)");
        }
        if (master != null && master.isBlank()) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--master: empty (expected: local[N], spark://HOST:PORT, yarn or k8s://...)");
        }
    }

    /**
     * Whether {@code train} would accept {@code arguments} (without the word train), checked without reading
     * the data or training: the flags, their values and how they combine, and the data spec's form. Throws
     * IllegalArgumentException with the message {@code train} would print after {@code ringfold: }.
     */
    static void check(java.util.List<String> arguments) {
        picocli.CommandLine cl = new picocli.CommandLine(new RingfoldCommand());
        try {
            picocli.CommandLine.ParseResult parsed = cl.parseArgs(java.util.stream.Stream.concat(
                    java.util.stream.Stream.of("train"), arguments.stream()).toArray(String[]::new));
            TrainCommand train = (TrainCommand) parsed.subcommand().commandSpec().userObject();
            train.config();
            DataSpec.parse(train.data);
            if (train.preprocessingDir == null) {
                train.preprocessingFlags.checkMasks(train.maskKey);
            } else {
                // The stored preprocessing decides whether a key is needed; it is read where the job runs.
                train.preprocessingFlags.checkMaskSpec(cl);
            }
        } catch (picocli.CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Defaults overlaid with the flags given; TrainingConfig validates the whole, naming the field. */
    private TrainingConfig config() {
        TrainingConfig config = HyperparameterFlags.config(spec, architecture);
        checkParallelFlags(config);
        return config;
    }

    /** ", fixed-point sums native" (or "java (why)") in the exact mode, which uses that kernel; else nothing. */
    private String fixedPointNote() {
        return (exact() ? ", fixed-point sums " + io.ringfold.tensor.FixedPointSum.implementation() : "")
                + (shardEmbeddings ? ", embedding table split by rows over the workers" : "");
    }
}
