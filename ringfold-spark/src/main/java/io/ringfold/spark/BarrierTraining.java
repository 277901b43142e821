package io.ringfold.spark;

import io.ringfold.collective.CollectiveException;
import io.ringfold.collective.Communicator;
import io.ringfold.collective.TcpCommunicator;
import io.ringfold.collective.TcpEndpoint;
import io.ringfold.collective.TcpOptions;
import io.ringfold.nn.Network;
import io.ringfold.nn.Shape;
import io.ringfold.parallel.CheckpointPolicy;
import io.ringfold.parallel.DataParallelTrainer;
import io.ringfold.parallel.OwnedRows;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.train.EpochMetrics;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;
import io.ringfold.train.TrainingRun;
import org.apache.spark.BarrierTaskContext;
import scala.Tuple2;
import scala.collection.Iterator;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The body of the barrier stage: one task per worker. Each task stages its input ({@link TaskRows}: rows
 * a shuffle routed to it, or its own input partition read and checked in one pass), binds a listening
 * socket, publishes {@code host:port} and its staging summary through {@link BarrierTaskContext#allGather},
 * decides the layout from every task's summary (bad input ends every task with the same message),
 * connects the ring (in-process when every task shares this JVM), completes its owned shards' float32
 * block, prepares it ({@link FitScaling}: target and feature standardisation, class weights) and trains with
 * {@link DataParallelTrainer}, folding the scalings back into rank 0's parameters. A retried stage
 * runs this again from the top: a fresh all-gather forms a new ring, and with a checkpoint directory
 * every attempt after the first resumes from the last checkpoint, once the all-gather has shown that
 * every rank sees the same one ({@link CheckpointView}).
 */
final class BarrierTraining<T, S> extends AbstractFunction1<Iterator<T>, Iterator<TaskOutcome>>
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Tests only: with this system property true, tasks that share a JVM still connect over TCP and
     * exchange rows as separate JVMs would, so local mode covers that path too.
     */
    static final String FORCE_TCP_PROPERTY = "ringfold.spark.forceTcp";

    private final String configJson;
    private final TaskRows<T, S> taskRows;
    private final int shards;
    private final FitScaling scaling;
    private final int timeoutSeconds;
    private final String checkpointDir;
    private final int checkpointEverySteps;
    /** Internal test hook: on stage attempt 0, rank 0 fails after this many epochs (0 = never). */
    private final int failFirstAttemptAfterEpoch;

    BarrierTraining(TrainingConfig config, TaskRows<T, S> taskRows, int shards, FitScaling scaling, int timeoutSeconds,
                    String checkpointDir, int checkpointEverySteps, int failFirstAttemptAfterEpoch) {
        this.configJson = config.toJson().toString();
        this.taskRows = taskRows;
        this.shards = shards;
        this.scaling = scaling;
        this.timeoutSeconds = timeoutSeconds;
        this.checkpointDir = checkpointDir;
        this.checkpointEverySteps = checkpointEverySteps;
        this.failFirstAttemptAfterEpoch = failFirstAttemptAfterEpoch;
    }

    /** Thrown by the test hook; not caught as a deterministic error, so the task fails and Spark retries. */
    static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }

    @Override
    public Iterator<TaskOutcome> apply(Iterator<T> input) {
        BarrierTaskContext ctx = BarrierTaskContext.get();
        int rank = ctx.partitionId();
        int attempt = ctx.stageAttemptNumber();
        S staged;
        TrainingConfig config;
        try {
            config = TrainingConfig.fromJson(new com.fasterxml.jackson.databind.ObjectMapper().readTree(configJson));
            staged = taskRows.stage(input, rank);
        } catch (IllegalArgumentException | com.fasterxml.jackson.core.JsonProcessingException e) {
            // Every task must still join the all-gather, or the others wait for it until Spark's barrier
            // timeout; an empty address tells them to stop.
            PromptAllGather.allGather(ctx, "");
            return one(TaskOutcome.failed(rank, attempt, e.getMessage()));
        }
        CheckpointPolicy policy = checkpoints(rank, attempt);
        String view = CheckpointView.of(policy.directory() == null ? null : policy.file(), policy.resume());
        TcpEndpoint endpoint = TcpEndpoint.bind("0.0.0.0", 0);
        // The executor's address as Spark knows it (host:port of its block manager): reachable by the others.
        String host = TcpEndpoint.parse(ctx.getTaskInfos()[rank].address()).getHostString();
        String[] all = PromptAllGather.allGather(ctx, (host.contains(":") ? "[" + host + "]" : host) + ":" + endpoint.port() + " "
                + SameJvmGroups.JVM + " " + tokenOrDash(taskRows.publish(staged)) + " " + view);
        List<InetSocketAddress> addresses = new ArrayList<>(all.length);
        String[] views = new String[all.length];
        String[] jvms = new String[all.length];
        String[] published = new String[all.length];
        for (int r = 0; r < all.length; r++) {
            if (all[r].isEmpty()) {
                endpoint.close();
                return one(TaskOutcome.empty(rank, attempt));
            }
            String[] parts = all[r].split(" ", 4);
            addresses.add(TcpEndpoint.parse(parts[0]));
            jvms[r] = parts[1];
            published[r] = parts[2].equals("-") ? "" : parts[2];
            views[r] = parts[3];
        }
        Layout layout;
        Network arch;
        try {
            layout = taskRows.layout(published);
            arch = TrainingRun.network(config, Shape.vector(layout.width()), layout.classes());
        } catch (IllegalArgumentException e) {
            // Bad input, or a network the input's shape cannot feed: every task decided the same from the same
            // summaries, and none waits for another.
            endpoint.close();
            return one(TaskOutcome.badInput(rank, attempt, e.getMessage()));
        }
        // Every rank decides on the same gathered views. A transient cause (a shared mount catching up, a
        // task of the failed attempt still writing) may clear on Spark's next attempt; a directory that is
        // not shared fails every attempt with this message.
        String disagreement = CheckpointView.disagreement(checkpointDir, views);
        if (disagreement != null) {
            endpoint.close();
            throw new IllegalStateException(disagreement);
        }
        Blas blas = BlasSelection.createRequested(1);
        int[] epochsRun = new int[1];
        TrainingListener listener = rank == 0 ? new TrainingListener() {
            @Override
            public void onEpoch(EpochMetrics m) {
                epochsRun[0]++;
                if (attempt == 0 && m.epoch() == failFirstAttemptAfterEpoch) {
                    throw new InjectedFailure("test hook: rank 0 fails after epoch " + m.epoch()
                            + " on stage attempt 0");
                }
            }
        } : TrainingListener.NONE;
        TrainingResult result;
        float[] parameters;
        boolean sameJvm = SameJvmGroups.allHere(jvms) && !Boolean.getBoolean(FORCE_TCP_PROPERTY);
        try (Communicator comm = connect(ctx, endpoint, addresses, sameJvm)) {
            OwnedRows rows = taskRows.complete(staged, layout, comm, sameJvm ? groupKey(ctx) : null);
            try {
                FitScaling.Prepared fit = scaling.prepare(config, rows, comm, layout.classes(), shards);
                result = new DataParallelTrainer(fit.config(), blas, shards).fit(comm, arch, fit.rows(), null, null,
                        listener, policy);
                parameters = fit.fold(arch, result.parameters());
            } finally {
                // The trainer keeps no reference to the rows once fit returns or fails.
                if (rows.x() instanceof FloatMatrix m) {
                    RowBufferPool.give(m.data());
                }
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            if (e instanceof CollectiveException || e.getCause() instanceof CollectiveException) {
                throw e;
            }
            return one(TaskOutcome.failed(rank, attempt, e.getMessage()));
        }
        if (rank != 0) {
            return one(TaskOutcome.empty(rank, attempt));
        }
        List<String> history = new ArrayList<>();
        for (EpochMetrics m : result.epochs()) {
            history.add(m.toJson().toString());
        }
        TaskOutcome outcome = new TaskOutcome(0, parameters, String.join("\n", history), blas.name(), null,
                attempt, epochsRun[0]);
        outcome.trainSeconds = result.trainSeconds();
        outcome.samplesSeen = result.samplesSeen();
        StringBuilder telemetry = new StringBuilder();
        for (io.ringfold.train.RankTelemetry t : result.telemetry()) {
            telemetry.append(t.rank()).append(',').append(t.computeSeconds()).append(',').append(t.waitSeconds())
                    .append(',').append(t.bytesSent()).append('\n');
        }
        outcome.telemetry = telemetry.toString();
        outcome.rows = layout.rows();
        outcome.width = layout.width();
        outcome.classes = layout.classes();
        return one(outcome);
    }

    /**
     * Checkpoints when a directory is set: every {@code checkpointEverySteps} steps, else every epoch.
     * Only a retried stage resumes; on the first attempt rank 0 removes a checkpoint left by an earlier
     * fit, which must not be mistaken for this one's.
     */
    private CheckpointPolicy checkpoints(int rank, int attempt) {
        if (checkpointDir == null) {
            return CheckpointPolicy.none();
        }
        Path dir = Path.of(checkpointDir);
        CheckpointPolicy policy = new CheckpointPolicy(dir, checkpointEverySteps, checkpointEverySteps == 0 ? 1 : 0,
                attempt > 0);
        if (attempt == 0 && rank == 0) {
            try {
                Files.deleteIfExists(policy.file());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("cannot remove the old checkpoint " + policy.file() + ": "
                        + e.getMessage(), e);
            }
        }
        return policy;
    }

    /** Shared memory when every task runs in this JVM ({@link SameJvmGroups}), else the TCP ring. */
    private Communicator connect(BarrierTaskContext ctx, TcpEndpoint endpoint, List<InetSocketAddress> addresses,
                                 boolean sameJvm) {
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        if (sameJvm) {
            endpoint.close();
            return SameJvmGroups.join(groupKey(ctx), ctx.partitionId(), addresses.size(), timeout);
        }
        return TcpCommunicator.connect(endpoint, ctx.partitionId(), addresses, TcpOptions.defaults(timeout));
    }

    /** The stage attempt, which names its in-process group and its shared blocks. */
    private static String groupKey(BarrierTaskContext ctx) {
        return ctx.stageId() + "." + ctx.stageAttemptNumber();
    }

    /** An empty token would collapse the all-gather's space-separated fields. */
    private static String tokenOrDash(String token) {
        return token.isEmpty() ? "-" : token;
    }

    private static Iterator<TaskOutcome> one(TaskOutcome o) {
        return scala.jdk.javaapi.CollectionConverters.asScala(List.of(o).iterator());
    }
}
