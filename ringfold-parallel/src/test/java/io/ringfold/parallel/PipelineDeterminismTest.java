package io.ringfold.parallel;

import io.ringfold.train.OptimizerKind;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.StageTelemetry;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Pipeline parallelism keeps exact mode's guarantee: for every layer family, 1, 2 and 3 stages, with and
 * without data-parallel replicas, both schedules, given or balanced boundaries, the trained parameters, every
 * epoch's loss and the validation metrics have the bits of one worker training the whole network, and a
 * pipeline killed mid-epoch and resumed from its per-stage checkpoints ends with the bits of an uninterrupted
 * run. (Processes: ringfold-cli's PipelineLaunchTest.)
 */
class PipelineDeterminismTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int SHARDS = 8;

    @TempDir
    Path dir;

    private static TrainingConfig config(OptimizerKind optimizer) {
        return TrainingConfig.of(Map.of(Hyperparameters.EPOCHS, 3, Hyperparameters.BATCH_SIZE, 16,
                Hyperparameters.LEARNING_RATE, optimizer == OptimizerKind.ADAM ? 0.003f : 0.01f,
                Hyperparameters.SEED, 5L, Hyperparameters.OPTIMIZER, optimizer, Hyperparameters.WEIGHT_DECAY,
                optimizer == OptimizerKind.ADAM ? 0.01f : 0f));
    }

    /** The last 37 rows as validation data. */
    private record Split(Matrix x, float[] y, Matrix xVal, float[] yVal) {
        static Split of(LayerFamiliesDeterminismTest.Family f) {
            int n = f.x().rows();
            int train = n - 37;
            int[] a = new int[train];
            int[] b = new int[n - train];
            for (int i = 0; i < n; i++) {
                if (i < train) {
                    a[i] = i;
                } else {
                    b[i - train] = i;
                }
            }
            float[] y = java.util.Arrays.copyOfRange(f.y(), 0, train);
            float[] yVal = java.util.Arrays.copyOfRange(f.y(), train, n);
            return new Split(f.x().gatherRows(a, 0, a.length), y, f.x().gatherRows(b, 0, b.length), yVal);
        }
    }

    private static PipelinePlan plan(int stages, int microBatches, PipelineSchedule schedule, int... boundaries) {
        return new PipelinePlan(stages, microBatches, schedule, boundaries.length == 0 ? null : boundaries);
    }

    private static TrainingResult pipeline(TrainingConfig cfg, PipelinePlan plan, int replicas, Split s,
                                           LayerFamiliesDeterminismTest.Family f, TrainingListener listener,
                                           CheckpointPolicy policy) {
        Blas blas = BlasSelection.createRequested(1);
        return PipelineThreads.fitter(new PipelineTrainer(cfg, blas, SHARDS, plan), replicas, TIMEOUT, policy)
                .fit(f.net(), s.x(), s.y(), null, s.xVal(), s.yVal(), listener);
    }

    @ParameterizedTest
    @ValueSource(strings = {"convolution", "normalisation", "residual", "embedding"})
    void everyStageCountScheduleAndReplicaCountGivesTheBitsOfOneWorker(String name) {
        LayerFamiliesDeterminismTest.Family f = LayerFamiliesDeterminismTest.family(name);
        Split s = Split.of(f);
        for (OptimizerKind optimizer : List.of(OptimizerKind.SGD, OptimizerKind.ADAM)) {
            TrainingConfig cfg = config(optimizer);
            TrainingResult one = WorkerThreads.fitter(cfg, BlasSelection.createRequested(1), 1, SHARDS, TIMEOUT)
                    .fit(f.net(), s.x(), s.y(), null, s.xVal(), s.yVal(), TrainingListener.NONE);
            assertThat(one.epochs().get(2).loss()).as(name + " learns").isLessThan(one.epochs().get(0).loss());
            int layers = f.net().nodes().size();
            List<Object[]> cases = List.of(
                    new Object[] {plan(1, 1, PipelineSchedule.GPIPE), 1},
                    new Object[] {plan(2, 4, PipelineSchedule.GPIPE, 3), 1},
                    new Object[] {plan(2, 8, PipelineSchedule.ONE_F_ONE_B, layers - 1), 1},
                    new Object[] {plan(3, 2, PipelineSchedule.ONE_F_ONE_B, 1, layers / 2), 1},
                    new Object[] {plan(3, 4, PipelineSchedule.GPIPE), 1},
                    new Object[] {plan(2, 2, PipelineSchedule.ONE_F_ONE_B, 2), 2},
                    new Object[] {plan(3, 1, PipelineSchedule.GPIPE, 2, 4), 2});
            for (Object[] c : cases) {
                PipelinePlan plan = (PipelinePlan) c[0];
                int replicas = (int) c[1];
                TrainingResult r = pipeline(cfg, plan, replicas, s, f, TrainingListener.NONE, CheckpointPolicy.none());
                String what = name + ", " + optimizer + ", " + plan + ", " + replicas + " replicas";
                assertThat(r.parameters()).as(what).containsExactly(one.parameters());
                for (int e = 0; e < 3; e++) {
                    assertThat(r.epochs().get(e).loss()).as(what + " epoch loss").isEqualTo(one.epochs().get(e).loss());
                    assertThat(r.epochs().get(e).validationLoss()).as(what + " validation loss")
                            .isEqualTo(one.epochs().get(e).validationLoss());
                }
            }
        }
    }

    @Test
    void telemetryCoversEveryStageAndEpoch() {
        LayerFamiliesDeterminismTest.Family f = LayerFamiliesDeterminismTest.family("convolution");
        Split s = Split.of(f);
        List<StageTelemetry> seen = new ArrayList<>();
        TrainingResult r = pipeline(config(OptimizerKind.SGD), plan(2, 4, PipelineSchedule.GPIPE, 3), 2, s, f,
                new TrainingListener() {
                    @Override
                    public void onStageTelemetry(int epoch, List<StageTelemetry> workers) {
                        seen.addAll(workers);
                    }
                }, CheckpointPolicy.none());
        assertThat(seen).hasSize(3 * 4);
        assertThat(r.stages()).isEqualTo(seen);
        for (StageTelemetry t : seen) {
            assertThat(t.stage()).isEqualTo(t.rank() / 2);
            assertThat(t.replica()).isEqualTo(t.rank() % 2);
            assertThat(t.computeSeconds()).isPositive();
            assertThat(t.bubbleFraction()).isBetween(0.0, 1.0);
            assertThat(t.bytesSent()).as("activations, gradients and exchanges").isPositive();
            assertThat(t.peakHeapBytes()).isPositive();
        }
        assertThat(r.telemetry()).hasSize(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpipe", "1f1b"})
    void aResumedPipelineEndsWithTheBitsOfAnUninterruptedOne(String schedule) {
        LayerFamiliesDeterminismTest.Family f = LayerFamiliesDeterminismTest.family("normalisation");
        Split s = Split.of(f);
        TrainingConfig cfg = config(OptimizerKind.ADAM);
        PipelinePlan plan = plan(3, 2, PipelineSchedule.parse(schedule));
        TrainingResult whole = pipeline(cfg, plan, 1, s, f, TrainingListener.NONE, CheckpointPolicy.none());
        CheckpointPolicy policy = new CheckpointPolicy(dir.resolve(schedule), 3, 1, true);
        TrainingListener killer = new TrainingListener() {
            @Override
            public void onStep(int epoch, int step, int steps) {
                if (epoch == 2 && step == 7) {
                    throw new IllegalStateException("killed for the test");
                }
            }
        };
        assertThatThrownBy(() -> pipeline(cfg, plan, 1, s, f, killer, policy)).hasMessage("killed for the test");
        int[] resumedAt = {-1, -1};
        TrainingResult resumed = pipeline(cfg, plan, 2, s, f, new TrainingListener() {
            @Override
            public void onResume(Path checkpoint, int epoch, int step, int steps) {
                resumedAt[0] = epoch;
                resumedAt[1] = step;
            }
        }, policy);
        // 120 training rows make 8 steps an epoch; the checkpoint of global step 15 is epoch 2 after step 7.
        assertThat(resumedAt).as("resumed from the mid-epoch checkpoint").containsExactly(2, 7);
        assertThat(resumed.parameters()).containsExactly(whole.parameters());
    }

    @Test
    void badPlansAreRefusedWithOneLine() {
        LayerFamiliesDeterminismTest.Family f = LayerFamiliesDeterminismTest.family("convolution");
        Split s = Split.of(f);
        TrainingConfig cfg = config(OptimizerKind.SGD);
        int layers = f.net().nodes().size();
        assertThatThrownBy(() -> pipeline(cfg, plan(layers + 1, 1, PipelineSchedule.GPIPE), 1, s, f,
                TrainingListener.NONE, CheckpointPolicy.none()))
                .hasMessage("pipelineStages: " + (layers + 1) + " (expected: at most the network's " + layers
                        + " layers, output layer included)");
        assertThatThrownBy(() -> plan(3, 1, PipelineSchedule.GPIPE, 4, 2))
                .hasMessage("stageBoundaries: 4,2 (expected: increasing layer indices above 0; 2 is not above 4)");
        assertThatThrownBy(() -> plan(3, 1, PipelineSchedule.GPIPE, 4))
                .hasMessage("stageBoundaries: 4 (expected: 2 layer indices for 3 stages, where stages 1..2 begin)");
        assertThatThrownBy(() -> pipeline(cfg, plan(2, 1, PipelineSchedule.GPIPE, layers), 1, s, f,
                TrainingListener.NONE, CheckpointPolicy.none()))
                .hasMessage("stageBoundaries: " + layers + " (expected: layer indices below " + layers
                        + ", the network's layers with the output layer)");
        assertThatThrownBy(() -> pipeline(cfg, plan(2, 3, PipelineSchedule.GPIPE, 2), 1, s, f,
                TrainingListener.NONE, CheckpointPolicy.none()))
                .hasMessage("microBatches: 3 (expected: a divisor of the 8 logical shards of each batch, so that "
                        + "micro-batches are whole shards; raise --shards to a multiple of 3)");
        assertThatThrownBy(() -> pipeline(cfg, plan(2, 8, PipelineSchedule.GPIPE, 2), 2, s, f,
                TrainingListener.NONE, CheckpointPolicy.none()))
                .hasMessageStartingWith("microBatches: 8 (expected: a divisor of the 8 logical shards / 2 replicas");
    }

    @Test
    void oneForwardOneBackwardHoldsAtMostKMinusKMicroBatches() {
        LayerFamiliesDeterminismTest.Family f = LayerFamiliesDeterminismTest.family("convolution");
        ShardPlan shardPlan = new ShardPlan(f.x().rows(), 16, 16);
        LocalShards local = new LocalShards(f.x(), f.y(), shardPlan, 0, 16);
        io.ringfold.collective.Communicator one = new io.ringfold.collective.InProcessGroup(1, TIMEOUT).communicator(0);
        for (PipelineSchedule schedule : PipelineSchedule.values()) {
            for (int k = 0; k < 4; k++) {
                PipelinePlan plan = plan(4, 16, schedule);
                PipelineStep step = new PipelineStep(BlasSelection.createRequested(1), one, one,
                        io.ringfold.nn.NetworkStage.of(f.net(), k, k + 1), plan, shardPlan, local, 1, k, 1, 0, 16,
                        false, 0f);
                assertThat(step.microBatchesHeld()).as("%s, stage %d of 4, 16 micro-batches", schedule, k)
                        .isEqualTo(schedule == PipelineSchedule.GPIPE ? 16 : 4 - k);
            }
        }
    }

    @Test
    void balancingMinimisesTheLargestStage() {
        assertThat(StageBalance.balance(new long[] {10, 10, 10, 10}, new double[] {1, 1, 1, 1}, 2))
                .containsExactly(0, 2, 4);
        assertThat(StageBalance.balance(new long[] {100, 0, 0, 0}, new double[] {0, 1, 1, 1}, 2))
                .containsExactly(0, 1, 4);
        assertThat(StageBalance.balance(new long[] {1, 1, 1}, new double[] {0, 0, 0}, 3)).containsExactly(0, 1, 2, 3);
        // Four equal dense layers with activations between and a small output: one dense layer a stage, never a
        // stage of one activation beside a stage of two dense layers (which has the same largest stage).
        long[] params = {400, 0, 400, 0, 400, 0, 400, 0, 10};
        double[] time = {1.0, 0.01, 1.0, 0.01, 1.0, 0.01, 1.0, 0.01, 0.05};
        assertThat(StageBalance.balance(params, time, 4)).containsExactly(0, 2, 4, 6, 9);
        time[0] = 2.2;
        int[] cuts = StageBalance.balance(params, time, 4);
        for (int k = 0; k < 4; k++) {
            int dense = 0;
            for (int i = cuts[k]; i < cuts[k + 1]; i++) {
                dense += params[i] == 400 ? 1 : 0;
            }
            assertThat(dense).as("dense layers in stage %d of %s, a slow first layer", k, java.util.Arrays.toString(cuts))
                    .isEqualTo(1);
        }
    }
}
