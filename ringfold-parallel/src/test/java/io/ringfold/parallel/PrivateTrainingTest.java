package io.ringfold.parallel;

import io.ringfold.nn.LayerList;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.nn.Shape;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.train.EpochMetrics;
import io.ringfold.train.Hyperparameter;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.Trainer;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DP-SGD in the trainers: exact mode gives the same bits for 1, 2 and 3 worker threads (the Poisson sample is
 * decided per example, the clipped sums are added exactly, the noise is a function of (seed, step, index));
 * a run killed and resumed keeps them; each epoch reports the ε spent so far; a secure generator's runs differ;
 * and the combinations that would break the guarantee are refused in one line.
 */
class PrivateTrainingTest {

    @TempDir
    Path dir;

    private static TrainingConfig config(Object... more) {
        Map<Hyperparameter<?>, Object> m = new HashMap<>(Map.of(Hyperparameters.EPOCHS, 3, Hyperparameters.BATCH_SIZE, 24,
                Hyperparameters.LEARNING_RATE, 0.01f, Hyperparameters.SEED, 5L, Hyperparameters.DP_CLIP, 1.0,
                Hyperparameters.DP_NOISE_MULTIPLIER, 0.8));
        for (int i = 0; i < more.length; i += 2) {
            m.put((Hyperparameter<?>) more[i], more[i + 1]);
        }
        return TrainingConfig.of(m);
    }

    @ParameterizedTest
    @ValueSource(strings = {"convolution", "embedding"})
    void oneTwoAndThreeWorkersGiveTheSameBits(String name) {
        LayerFamiliesDeterminismTest.Family f = LayerFamiliesDeterminismTest.family(name);
        TrainingConfig cfg = config();
        Blas blas = BlasSelection.createRequested(1);
        float[] reference = null;
        for (int workers = 1; workers <= 3; workers++) {
            TrainingResult r = WorkerThreads.fitter(cfg, blas, workers, 4, Duration.ofSeconds(60))
                    .fit(f.net(), f.x(), f.y(), null, null, TrainingListener.NONE);
            if (reference == null) {
                reference = r.parameters();
                EpochMetrics first = r.epochs().get(0);
                EpochMetrics last = r.epochs().get(2);
                assertThat(last.dpEpsilon()).as("ε grows with the steps").isGreaterThan(first.dpEpsilon());
                assertThat(first.dpEpsilon()).isGreaterThan(0);
            } else {
                assertThat(r.parameters()).as("%s, %d workers", name, workers).containsExactly(reference);
            }
        }
    }

    @Test
    void aRunKilledAndResumedWithAnotherWorkerCountEndsWithTheSameBits() {
        LayerFamiliesDeterminismTest.Family f = LayerFamiliesDeterminismTest.family("convolution");
        TrainingConfig cfg = config();
        Blas blas = BlasSelection.createRequested(1);
        Duration timeout = Duration.ofSeconds(60);
        TrainingResult whole = WorkerThreads.fitter(cfg, blas, 2, 4, timeout).fit(f.net(), f.x(), f.y(), null, null,
                TrainingListener.NONE);
        CheckpointPolicy policy = new CheckpointPolicy(dir, 4, 1, true);
        TrainingListener killer = new TrainingListener() {
            @Override
            public void onStep(int epoch, int step, int steps) {
                if (epoch == 2 && step == 5) {
                    throw new IllegalStateException("killed");
                }
            }
        };
        assertThatThrownBy(() -> WorkerThreads.fitter(cfg, blas, 2, 4, timeout, policy).fit(f.net(), f.x(), f.y(), null,
                null, killer)).hasStackTraceContaining("killed");
        TrainingResult resumed = WorkerThreads.fitter(cfg, blas, 3, 4, timeout, policy).fit(f.net(), f.x(), f.y(), null,
                null, TrainingListener.NONE);
        assertThat(resumed.parameters()).containsExactly(whole.parameters());
        assertThat(resumed.epochs().get(1).loss()).isEqualTo(whole.epochs().get(1).loss());
        assertThat(resumed.epochs().get(1).accuracy()).isEqualTo(whole.epochs().get(1).accuracy());
    }

    @Test
    void theSingleProcessTrainerIsReproducibleAndLearnsUnlessTheNoiseIsSecure() {
        LayerFamiliesDeterminismTest.Family f = LayerFamiliesDeterminismTest.family("convolution");
        Blas blas = BlasSelection.createRequested(1);
        TrainingResult a = new Trainer(config(Hyperparameters.EPOCHS, 6), blas).fit(f.net(), f.x(), f.y(), null, null,
                TrainingListener.NONE);
        TrainingResult b = new Trainer(config(Hyperparameters.EPOCHS, 6), blas).fit(f.net(), f.x(), f.y(), null, null,
                TrainingListener.NONE);
        assertThat(b.parameters()).containsExactly(a.parameters());
        assertThat(a.epochs().get(5).loss()).as("learns despite the noise").isLessThan(a.epochs().get(0).loss());
        TrainingConfig secure = config(Hyperparameters.EPOCHS, 6, Hyperparameters.DP_SECURE_RNG, true);
        TrainingResult c = new Trainer(secure, blas).fit(f.net(), f.x(), f.y(), null, null, TrainingListener.NONE);
        assertThat(c.parameters()).isNotEqualTo(a.parameters());
    }

    @Test
    void combinationsThatBreakTheGuaranteeAreRefused() {
        Blas blas = BlasSelection.createRequested(1);
        assertThatThrownBy(() -> new DataParallelTrainer(config(), blas, 4, false))
                .hasMessageStartingWith("--allreduce float32 in a private run (--dp-clip)");
        assertThatThrownBy(() -> new DataParallelTrainer(config(), blas, 4, true, true))
                .hasMessageStartingWith("--shard-embeddings in a private run (--dp-clip)");
        assertThatThrownBy(() -> new PipelineTrainer(config(), blas, 4, null))
                .hasMessageStartingWith("--pipeline-stages in a private run (--dp-clip)");
        Network bn = Network.of(Shape.vector(9), LayerList.parse("dense(4),batchnorm,relu"), 3, Loss.CROSS_ENTROPY);
        assertThatThrownBy(() -> new Trainer(config(), blas).fit(bn, new io.ringfold.tensor.FloatMatrix(3, 9),
                new float[] {0, 1, 2}, null, null, TrainingListener.NONE))
                .hasMessageStartingWith("layers[1] batchnorm: batchnorm in a private run");
    }
}
