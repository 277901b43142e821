package io.ringfold.parallel;

import io.ringfold.nn.LayerList;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.nn.Shape;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every layer family keeps exact mode's guarantee: the parameters after training have the same bits for 1, 2, 3
 * and 4 worker threads over 4 logical shards, and a run killed mid-epoch and resumed from its checkpoint (with
 * another worker count) ends with the bits of the uninterrupted one. Dropout's masks come from (seed, step,
 * example) and batch normalisation's statistics from each logical shard, so neither sees the worker count.
 * (Processes: ringfold-cli's LaunchCommandTest trains a CNN with launch --nproc and compares digests.)
 */
class LayerFamiliesDeterminismTest {

    @TempDir
    Path dir;

    /** A family's network and data: 3 classes over 157 rows (not a multiple of the shards or the batch). */
    record Family(Network net, Matrix x, float[] y) {
    }

    static Family family(String name) {
        return switch (name) {
            case "convolution" -> images("conv2d(4,3,padding=1),relu,maxpool2d(2),conv2d(6,2),relu,avgpool2d(2,stride=1),"
                    + "flatten,dense(8),relu", 1, 6, 6);
            case "normalisation" -> images("flatten,dense(16),batchnorm,relu,dropout(0.3),dense(8),layernorm,gelu", 1, 3, 3);
            case "residual" -> images("conv2d(3,3,padding=1),batchnorm,relu,add(conv2d(3,3,padding=1),batchnorm,relu),"
                    + "globalavgpool,leakyrelu(0.1),add(dense(3),tanh),sigmoid", 2, 4, 4);
            case "embedding" -> text("embeddingbag(6),relu,dropout(0.2),dense(5),relu");
            default -> throw new IllegalArgumentException(name);
        };
    }

    private static Family images(String layers, int... shape) {
        SplitMix64 rng = new SplitMix64(17);
        Shape in = Shape.of(shape);
        int rows = 157;
        FloatMatrix x = new FloatMatrix(rows, in.size());
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            int c = rng.nextInt(3);
            y[r] = c;
            for (int j = 0; j < in.size(); j++) {
                x.set(r, j, (float) ((j % 3 == c ? 1.0 : 0.0) + 0.7 * rng.nextGaussian()));
            }
        }
        return new Family(Network.of(in, LayerList.parse(layers), 3, Loss.CROSS_ENTROPY), x, y);
    }

    /** Token counts over a vocabulary of 40, the class deciding which third of it a text draws more from. */
    private static Family text(String layers) {
        TokenCounts.Texts t = TokenCounts.random(19, 157, 40, 0.3, 0.08);
        return new Family(Network.of(Shape.vector(40), LayerList.parse(layers), 3, Loss.CROSS_ENTROPY), t.x(), t.y());
    }

    private static TrainingConfig config() {
        return TrainingConfig.of(Map.of(Hyperparameters.EPOCHS, 3, Hyperparameters.BATCH_SIZE, 16,
                Hyperparameters.LEARNING_RATE, 0.01f, Hyperparameters.SEED, 5L));
    }

    @ParameterizedTest
    @ValueSource(strings = {"convolution", "normalisation", "residual", "embedding"})
    void oneToFourWorkersGiveTheSameBits(String name) throws Exception {
        Family f = family(name);
        TrainingConfig cfg = config();
        Blas blas = BlasSelection.createRequested(1);
        float[] reference = null;
        for (int workers = 1; workers <= 4; workers++) {
            TrainingResult r = WorkerThreads.fitter(cfg, blas, workers, 4, Duration.ofSeconds(60))
                    .fit(f.net, f.x, f.y, null, null, TrainingListener.NONE);
            if (reference == null) {
                reference = r.parameters();
                assertThat(r.epochs().get(2).loss()).as(name + " learns").isLessThan(r.epochs().get(0).loss());
            } else {
                assertThat(r.parameters()).as("%s, %d workers", name, workers).containsExactly(reference);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"normalisation", "residual"})
    void aResumedRunEndsWithTheBitsOfAnUninterruptedOne(String name) throws Exception {
        Family f = family(name);
        TrainingConfig cfg = config();
        Blas blas = BlasSelection.createRequested(1);
        Duration timeout = Duration.ofSeconds(60);
        TrainingResult whole = WorkerThreads.fitter(cfg, blas, 2, 4, timeout)
                .fit(f.net, f.x, f.y, null, null, TrainingListener.NONE);
        CheckpointPolicy policy = new CheckpointPolicy(dir.resolve(name), 3, 1, true);
        TrainingListener killer = new TrainingListener() {
            @Override
            public void onStep(int epoch, int step, int steps) {
                if (epoch == 2 && step == 7) {
                    throw new IllegalStateException("killed for the test");
                }
            }
        };
        try {
            WorkerThreads.fitter(cfg, blas, 2, 4, timeout, policy).fit(f.net, f.x, f.y, null, null, killer);
        } catch (RuntimeException expected) {
            // The kill; the checkpoint of global step 15 (epoch 2, step 5 of 10) stays.
        }
        int[] resumedAt = new int[] {-1, -1};
        TrainingResult resumed = WorkerThreads.fitter(cfg, blas, 3, 4, timeout, policy).fit(f.net, f.x, f.y, null, null,
                new TrainingListener() {
                    @Override
                    public void onResume(Path checkpoint, int epoch, int step, int steps) {
                        resumedAt[0] = epoch;
                        resumedAt[1] = step;
                    }
                });
        assertThat(resumedAt).as("resumed from the mid-epoch checkpoint").containsExactly(2, 5);
        assertThat(resumed.parameters()).containsExactly(whole.parameters());
    }
}
