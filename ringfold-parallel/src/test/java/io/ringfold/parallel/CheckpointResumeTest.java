package io.ringfold.parallel;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.Architecture;
import io.ringfold.model.ModelType;
import io.ringfold.nn.Activation;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A run killed mid-epoch and resumed (even with another worker count) ends bit-identical to an
 * uninterrupted one, having resumed at the last checkpoint's step (training is deterministic, so the
 * final bits alone would not show that the checkpoint was used).
 */
class CheckpointResumeTest {

    @TempDir
    Path dir;

    private static final class Killed extends RuntimeException {
        Killed() {
            super("killed at a step for the test");
        }
    }

    /** Records the steps per epoch and every resume, as "checkpoint epoch step/steps". */
    private static class Recorder implements TrainingListener {
        int steps;
        final List<String> resumes = new ArrayList<>();

        @Override
        public void onStep(int epoch, int step, int steps) {
            this.steps = steps;
        }

        @Override
        public void onResume(Path checkpoint, int epoch, int step, int steps) {
            resumes.add(checkpoint.getFileName() + " " + epoch + " " + step + "/" + steps);
        }
    }

    @Test
    void killedAndResumedRunIsBitIdenticalToAnUninterruptedOne() throws Exception {
        float[] y = new float[203];
        FloatMatrix x = new FloatMatrix(203, 4);
        SplitMix64 rng = new SplitMix64(8);
        for (int i = 0; i < y.length; i++) {
            y[i] = rng.nextInt(2);
            for (int j = 0; j < 4; j++) {
                x.set(i, j, (float) (y[i] + rng.nextGaussian()));
            }
        }
        ObjectNode n = TrainingConfig.defaults().toJson();
        n.put("epochs", 4);
        n.put("batchSize", 16);
        n.putArray("hidden").add(6);
        n.put("learningRate", 0.01);
        TrainingConfig cfg = TrainingConfig.fromJson(n);
        Network arch = new Architecture(ModelType.MLP, 4, new int[] {6}, Activation.TANH, 2, Loss.CROSS_ENTROPY).toNetwork();
        Blas blas = BlasSelection.createRequested(1);
        Duration timeout = Duration.ofSeconds(20);

        TrainingResult uninterrupted = WorkerThreads.fitter(cfg, blas, 2, 4, timeout)
                .fit(arch, x, y, null, null, TrainingListener.NONE);

        CheckpointPolicy policy = new CheckpointPolicy(dir, 5, 1, true);
        Recorder killer = new Recorder() {
            @Override
            public void onStep(int epoch, int step, int steps) {
                super.onStep(epoch, step, steps);
                if (epoch == 3 && step == 8) {
                    throw new Killed();
                }
            }
        };
        assertThatThrownBy(() -> WorkerThreads.fitter(cfg, blas, 2, 4, timeout, policy)
                .fit(arch, x, y, null, null, killer)).isInstanceOf(Killed.class);
        assertThat(policy.file()).exists();
        assertThat(killer.resumes).as("resumes of a run with no checkpoint yet").isEmpty();

        Recorder recorder = new Recorder();
        TrainingResult resumed = WorkerThreads.fitter(cfg, blas, 3, 4, timeout, policy)
                .fit(arch, x, y, null, null, recorder);
        // Killed after global step 2 S + 8 (S steps per epoch), checkpointed every 5 global steps (and
        // at 2 S, the end of epoch 2): the last checkpoint is at the last multiple of 5, in epoch 3.
        int s = killer.steps;
        int last = (2 * s + 8) / 5 * 5;
        assertThat(last).as("the last checkpoint is inside epoch 3").isGreaterThan(2 * s);
        assertThat(recorder.resumes).containsExactly("checkpoint.rfm 3 " + (last - 2 * s) + "/" + s);
        assertThat(resumed.parameters()).containsExactly(uninterrupted.parameters());
        assertThat(resumed.epochs()).hasSize(4);
        for (int e = 0; e < 4; e++) {
            assertThat(resumed.epochs().get(e).loss()).as("epoch %d loss", e + 1)
                    .isEqualTo(uninterrupted.epochs().get(e).loss());
        }
    }

    @Test
    void aCheckpointOfAnotherRunIsRefused() throws Exception {
        float[] y = new float[40];
        FloatMatrix x = new FloatMatrix(40, 3);
        for (int i = 0; i < 40; i++) {
            y[i] = i % 2;
            x.set(i, 0, y[i]);
        }
        ObjectNode n = TrainingConfig.defaults().toJson();
        n.put("epochs", 1);
        n.put("batchSize", 8);
        n.put("model", "softmax");
        n.put("solver", "adam");
        n.putArray("hidden");
        Network arch = new Architecture(ModelType.SOFTMAX, 3, new int[0], Activation.IDENTITY, 2, Loss.CROSS_ENTROPY).toNetwork();
        Blas blas = BlasSelection.createRequested(1);
        CheckpointPolicy policy = new CheckpointPolicy(dir, 0, 1, true);
        WorkerThreads.fitter(TrainingConfig.fromJson(n), blas, 1, 2, Duration.ofSeconds(10), policy)
                .fit(arch, x, y, null, null, TrainingListener.NONE);
        n.put("seed", 7);
        assertThatThrownBy(() -> WorkerThreads.fitter(TrainingConfig.fromJson(n), blas, 1, 2, Duration.ofSeconds(10),
                policy).fit(arch, x, y, null, null, TrainingListener.NONE))
                .hasMessageContaining("checkpoint of another run");
    }
}
