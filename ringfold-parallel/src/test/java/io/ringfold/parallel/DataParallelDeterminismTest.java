package io.ringfold.parallel;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.collective.Communicator;
import io.ringfold.collective.InPlaceAllGather;
import io.ringfold.collective.InPlaceReduceScatter;
import io.ringfold.collective.InProcessGroup;
import io.ringfold.model.Architecture;
import io.ringfold.model.ModelType;
import io.ringfold.nn.Activation;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.train.Evaluation;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataParallelDeterminismTest {

    private static TrainingConfig config(String json) throws Exception {
        ObjectNode n = TrainingConfig.defaults().toJson();
        n.setAll((ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(json));
        return TrainingConfig.fromJson(n);
    }

    /** Noisy 3-class data with 301 rows (not a multiple of the shard count or the batch). */
    private static FloatMatrix data(float[] y) {
        SplitMix64 rng = new SplitMix64(3);
        FloatMatrix x = new FloatMatrix(y.length, 5);
        for (int i = 0; i < y.length; i++) {
            int c = rng.nextInt(3);
            y[i] = c;
            for (int j = 0; j < 5; j++) {
                x.set(i, j, (float) (c * (j % 2 == 0 ? 1.0 : -0.5) + rng.nextGaussian()));
            }
        }
        return x;
    }

    /** Regression data, 3 features, with a huge target (1e6) at every 53rd row from row 7 and small noise elsewhere. */
    private static FloatMatrix jumpData(float[] y) {
        SplitMix64 rng = new SplitMix64(21);
        FloatMatrix x = new FloatMatrix(y.length, 3);
        for (int i = 0; i < y.length; i++) {
            for (int j = 0; j < 3; j++) {
                x.set(i, j, (float) rng.nextGaussian());
            }
            y[i] = i % 53 == 7 ? 1e6f : (float) (0.01 * rng.nextGaussian());
        }
        return x;
    }

    @Test
    void parametersAreBitIdenticalForOneToFourWorkersIncludingNonDivisors() throws Exception {
        float[] y = new float[301];
        FloatMatrix x = data(y);
        Network arch = new Architecture(ModelType.MLP, 5, new int[] {16}, Activation.RELU, 3, Loss.CROSS_ENTROPY).toNetwork();
        TrainingConfig cfg = config("{\"epochs\":4,\"batchSize\":30,\"hidden\":[16],\"lr\":0.01,\"weightDecay\":0.001}"
                .replace("\"lr\"", "\"learningRate\""));
        Blas blas = BlasSelection.createRequested(1);
        float[] reference = null;
        for (int workers = 1; workers <= 4; workers++) {
            TrainingResult r = WorkerThreads.fitter(cfg, blas, workers, 4, Duration.ofSeconds(30))
                    .fit(arch, x, y, null, null, TrainingListener.NONE);
            assertThat(r.workers()).isEqualTo(workers);
            assertThat(r.telemetry()).hasSize(workers);
            if (reference == null) {
                reference = r.parameters();
            } else {
                assertThat(r.parameters()).as("%d workers", workers).containsExactly(reference);
            }
        }
        // Three workers over four shards: one worker owns two shards.
        TrainingResult three = WorkerThreads.fitter(cfg, blas, 3, 4, Duration.ofSeconds(30))
                .fit(arch, x, y, null, null, TrainingListener.NONE);
        assertThat(three.parameters()).containsExactly(reference);
        assertThat(three.epochs().get(3).loss()).isLessThan(three.epochs().get(0).loss());
    }

    @Test
    void earlyStoppingDecidesTheSameOnEveryWorkerCount() throws Exception {
        float[] y = new float[301];
        FloatMatrix x = data(y);
        float[] yv = new float[90];
        FloatMatrix xv = data(yv);
        // Rotated validation labels: the validation loss rises as the fit improves, so training stops.
        for (int i = 0; i < yv.length; i++) {
            yv[i] = (yv[i] + 1) % 3;
        }
        Network arch = new Architecture(ModelType.MLP, 5, new int[] {8}, Activation.RELU, 3, Loss.CROSS_ENTROPY).toNetwork();
        TrainingConfig cfg = config("{\"epochs\":30,\"batchSize\":30,\"hidden\":[8],\"learningRate\":0.02,"
                + "\"validationSplit\":0.2,\"patience\":2}");
        Blas blas = BlasSelection.createRequested(1);
        TrainingResult one = WorkerThreads.fitter(cfg, blas, 1, 4, Duration.ofSeconds(30))
                .fit(arch, x, y, xv, yv, TrainingListener.NONE);
        TrainingResult three = WorkerThreads.fitter(cfg, blas, 3, 4, Duration.ofSeconds(30))
                .fit(arch, x, y, xv, yv, TrainingListener.NONE);
        assertThat(one.stoppedEarly()).isTrue();
        assertThat(three.stoppedEarly()).isTrue();
        assertThat(three.bestEpoch()).isEqualTo(one.bestEpoch());
        assertThat(three.parameters()).containsExactly(one.parameters());
        assertThat(one.epochs()).hasSize(one.bestEpoch() + 2);
    }

    /**
     * The workers split the validation batches; every epoch's validation metrics have the same bits for
     * one to four workers (four over 18 batches: blocks of 4 and 5), and the last epoch's are those of a
     * one-thread evaluation of the final parameters.
     */
    @Test
    void validationSplitOverTheWorkersGivesTheBitsOfOneEvaluation() throws Exception {
        float[] y = new float[301];
        FloatMatrix x = data(y);
        float[] yv = new float[175];
        FloatMatrix xv = data(yv);
        Network arch = new Architecture(ModelType.MLP, 5, new int[] {8}, Activation.RELU, 3, Loss.CROSS_ENTROPY).toNetwork();
        TrainingConfig cfg = config("{\"epochs\":3,\"batchSize\":10,\"hidden\":[8],\"learningRate\":0.02,"
                + "\"validationSplit\":0.2}");
        Blas blas = BlasSelection.createRequested(1);
        TrainingResult one = null;
        for (int workers = 1; workers <= 4; workers++) {
            TrainingResult r = WorkerThreads.fitter(cfg, blas, workers, 4, Duration.ofSeconds(30))
                    .fit(arch, x, y, xv, yv, TrainingListener.NONE);
            if (one == null) {
                one = r;
                continue;
            }
            for (int e = 0; e < 3; e++) {
                assertThat(r.epochs().get(e).validationLoss()).as("%d workers, epoch %d", workers, e + 1)
                        .isEqualTo(one.epochs().get(e).validationLoss());
                assertThat(r.epochs().get(e).validationAccuracy()).as("%d workers, epoch %d", workers, e + 1)
                        .isEqualTo(one.epochs().get(e).validationAccuracy());
            }
        }
        Evaluation last = Evaluation.of(blas, arch, one.parameters(), xv, yv, 10);
        assertThat(one.epochs().get(2).validationLoss()).isEqualTo(last.meanLoss());
        assertThat(one.epochs().get(2).validationAccuracy()).isEqualTo(last.accuracy()).isGreaterThan(0.5);
    }

    /**
     * Regression data with rare huge targets: when such a row enters a batch the gradient jumps far past
     * the previous step's headroom, which forces the second reduction; results must still agree.
     */
    @Test
    void gradientJumpsBeyondTheHeadroomTakeTheSecondReductionAndStayIdentical() throws Exception {
        float[] y = new float[200];
        FloatMatrix x = jumpData(y);
        Network arch = new Architecture(ModelType.LINEAR, 3, new int[0], Activation.IDENTITY, 1, Loss.MSE).toNetwork();
        TrainingConfig cfg = config("{\"model\":\"linear\",\"solver\":\"sgd\",\"hidden\":[],\"epochs\":2,\"batchSize\":8,"
                + "\"optimizer\":\"sgd\",\"learningRate\":1e-9,\"standardize\":false}");
        Blas blas = BlasSelection.createRequested(1);
        long before = ExactStep.SECOND_REDUCTIONS.get();
        TrainingResult one = WorkerThreads.fitter(cfg, blas, 1, 4, Duration.ofSeconds(30))
                .fit(arch, x, y, null, null, TrainingListener.NONE);
        assertThat(ExactStep.SECOND_REDUCTIONS.get()).isGreaterThan(before);
        TrainingResult four = WorkerThreads.fitter(cfg, blas, 4, 4, Duration.ofSeconds(30))
                .fit(arch, x, y, null, null, TrainingListener.NONE);
        assertThat(four.parameters()).containsExactly(one.parameters());
    }

    /**
     * Worker threads exchange in place, through their group's slots ({@code InPlaceReduceScatter},
     * {@code InPlaceAllGather}); the same threads through the plain collectives and the trainer's own
     * arrays (the path between machines) give the same bits and count the same bytes: for an MLP with
     * weight decay, and for the regression whose gradient jumps force second reductions.
     */
    @Test
    void inPlaceExchangeGivesTheBitsOfThePlainCollectives() throws Exception {
        float[] y = new float[301];
        FloatMatrix x = data(y);
        Network mlp = new Architecture(ModelType.MLP, 5, new int[] {16}, Activation.RELU, 3, Loss.CROSS_ENTROPY).toNetwork();
        TrainingConfig cfg = config("{\"epochs\":3,\"batchSize\":30,\"hidden\":[16],\"learningRate\":0.01,"
                + "\"weightDecay\":0.001}");
        Blas blas = BlasSelection.createRequested(1);
        for (int workers : new int[] {2, 3, 4}) {
            assertInPlaceMatchesPlain(new DataParallelTrainer(cfg, blas, 4), mlp, x, y, workers);
        }

        float[] jumps = new float[200];
        FloatMatrix xj = jumpData(jumps);
        Network linear = new Architecture(ModelType.LINEAR, 3, new int[0], Activation.IDENTITY, 1, Loss.MSE).toNetwork();
        TrainingConfig sgd = config("{\"model\":\"linear\",\"solver\":\"sgd\",\"hidden\":[],\"epochs\":2,\"batchSize\":8,"
                + "\"optimizer\":\"sgd\",\"learningRate\":1e-9,\"standardize\":false}");
        long before = ExactStep.SECOND_REDUCTIONS.get();
        assertInPlaceMatchesPlain(new DataParallelTrainer(sgd, blas, 4), linear, xj, jumps, 2);
        assertThat(ExactStep.SECOND_REDUCTIONS.get()).as("second reductions").isGreaterThan(before);
    }

    private static void assertInPlaceMatchesPlain(DataParallelTrainer trainer, Network arch, FloatMatrix x, float[] y,
                                                  int workers) throws InterruptedException {
        TrainingResult inPlace = WorkerThreads.fitter(trainer, workers, Duration.ofSeconds(30), CheckpointPolicy.none())
                .fit(arch, x, y, null, null, TrainingListener.NONE);
        InProcessGroup group = new InProcessGroup(workers, Duration.ofSeconds(30));
        TrainingResult[] plain = new TrainingResult[workers];
        Thread[] threads = new Thread[workers];
        for (int r = 0; r < workers; r++) {
            Communicator comm = PlainCollectives.of(group.communicator(r));
            assertThat(comm).isNotInstanceOf(InPlaceReduceScatter.class).isNotInstanceOf(InPlaceAllGather.class);
            int rank = r;
            threads[r] = new Thread(() -> plain[rank] = trainer.fit(comm, arch, x, y, null, null, TrainingListener.NONE));
            threads[r].start();
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(plain[0]).as("%d workers over the plain collectives", workers).isNotNull();
        assertThat(inPlace.parameters()).as("%d workers", workers).containsExactly(plain[0].parameters());
        int last = inPlace.epochs().size() - 1;
        assertThat(inPlace.epochs().get(last).loss()).isEqualTo(plain[0].epochs().get(last).loss());
        for (int r = 0; r < workers; r++) {
            assertThat(inPlace.telemetry().get(r).bytesSent()).as("%d workers, rank %d", workers, r)
                    .isEqualTo(plain[0].telemetry().get(r).bytesSent()).isPositive();
        }
    }

    /** Plain SGD with a huge step: the gradients overflow within a few steps, and training stops with the cause. */
    @Test
    void divergenceIsReportedNotTrainedThrough() throws Exception {
        float[] y = new float[301];
        FloatMatrix x = data(y);
        for (int i = 0; i < y.length; i++) {
            y[i] = (float) (1e3 * (i % 7));
        }
        Network arch = new Architecture(ModelType.MLP, 5, new int[] {8}, Activation.RELU, 1, Loss.MSE).toNetwork();
        TrainingConfig cfg = config("{\"epochs\":2,\"batchSize\":30,\"hidden\":[8],\"optimizer\":\"sgd\",\"learningRate\":1e6}");
        Blas blas = BlasSelection.createRequested(1);
        for (int workers : new int[] {1, 2}) {
            assertThatThrownBy(() -> WorkerThreads.fitter(cfg, blas, workers, 4, Duration.ofSeconds(30))
                    .fit(arch, x, y, null, null, TrainingListener.NONE))
                    .as("%d workers", workers)
                    .hasMessageContaining("training diverged");
        }
    }

    /** The float32 mode trains (dense and sparse input) and is repeatable for a given worker count. */
    @Test
    void float32ModeTrainsAndRepeats() throws Exception {
        float[] y = new float[301];
        FloatMatrix x = data(y);
        Network arch = new Architecture(ModelType.MLP, 5, new int[] {16}, Activation.RELU, 3, Loss.CROSS_ENTROPY).toNetwork();
        TrainingConfig cfg = config("{\"epochs\":6,\"batchSize\":30,\"hidden\":[16],\"learningRate\":0.01}");
        Blas blas = BlasSelection.createRequested(1);
        for (io.ringfold.tensor.Matrix input : new io.ringfold.tensor.Matrix[] {x, sparse(x)}) {
            TrainingResult a = WorkerThreads.fitter(new DataParallelTrainer(cfg, blas, 4, false), 2,
                    Duration.ofSeconds(30), CheckpointPolicy.none()).fit(arch, input, y, null, null, TrainingListener.NONE);
            TrainingResult b = WorkerThreads.fitter(new DataParallelTrainer(cfg, blas, 4, false), 2,
                    Duration.ofSeconds(30), CheckpointPolicy.none()).fit(arch, input, y, null, null, TrainingListener.NONE);
            assertThat(b.parameters()).containsExactly(a.parameters());
            assertThat(a.epochs().get(5).loss()).isLessThan(a.epochs().get(0).loss());
            assertThat(a.epochs().get(5).accuracy()).isGreaterThan(0.6);
        }
    }

    private static io.ringfold.tensor.CsrMatrix sparse(FloatMatrix x) {
        int[] ptr = new int[x.rows() + 1];
        int[] cols = new int[x.rows() * x.cols()];
        float[] vals = new float[x.rows() * x.cols()];
        int k = 0;
        for (int r = 0; r < x.rows(); r++) {
            for (int c = 0; c < x.cols(); c++) {
                cols[k] = c;
                vals[k++] = x.get(r, c);
            }
            ptr[r + 1] = k;
        }
        return new io.ringfold.tensor.CsrMatrix(x.rows(), x.cols(), ptr, cols, vals);
    }

    @Test
    void moreWorkersThanShardsIsRefused() throws Exception {
        float[] y = new float[40];
        FloatMatrix x = data(y);
        Network arch = new Architecture(ModelType.SOFTMAX, 5, new int[0], Activation.IDENTITY, 3, Loss.CROSS_ENTROPY).toNetwork();
        TrainingConfig cfg = config("{\"model\":\"softmax\",\"hidden\":[],\"epochs\":1,\"batchSize\":8}");
        assertThatThrownBy(() -> WorkerThreads.fitter(cfg, BlasSelection.createRequested(1), 3, 2, Duration.ofSeconds(5))
                .fit(arch, x, y, null, null, TrainingListener.NONE))
                .hasMessage("workers: 3 (expected: at most the shard count, 2; raise --shards)");
    }
}
