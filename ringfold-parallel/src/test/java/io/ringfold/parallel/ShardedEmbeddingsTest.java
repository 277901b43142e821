package io.ringfold.parallel;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.InProcessGroup;
import io.ringfold.collective.TcpCommunicator;
import io.ringfold.collective.TcpEndpoint;
import io.ringfold.collective.TcpOptions;
import io.ringfold.collective.TcpRendezvous;
import io.ringfold.nn.EmbeddingTable;
import io.ringfold.nn.LayerList;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.nn.Shape;
import io.ringfold.optim.Adam;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.train.EpochMetrics;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.OptimizerKind;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code --shard-embeddings}: an embeddingbag table split by rows over 2 and 3 workers (threads over shared
 * memory, and TCP) trains to the bits of unsharded training on one worker, validation metrics included, with
 * each worker holding its share of the rows; and what it cannot do is refused by name.
 */
class ShardedEmbeddingsTest {

    private static final long DATA_SEED = 23;
    private static final int SHARDS = 4;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** 157 training texts and 41 validation texts over 90 tokens; seeds logged by the first test. */
    private static final TokenCounts.Texts TRAIN = texts(DATA_SEED, 157, 90);
    private static final TokenCounts.Texts VAL = texts(DATA_SEED + 1, 41, 90);
    private static final Network NET = network("embeddingbag(16),relu,dense(8)", 90);

    @TempDir
    Path dir;

    private static TokenCounts.Texts texts(long seed, int rows, int vocabulary) {
        return TokenCounts.random(seed, rows, vocabulary, 0.08, 0.02);
    }

    /** The reference: one worker, the table whole. */
    private static TrainingResult unsharded(TrainingConfig cfg, Network net, TokenCounts.Texts train,
                                            TokenCounts.Texts val) {
        return WorkerThreads.fitter(new DataParallelTrainer(cfg, BlasSelection.createRequested(1), SHARDS), 1,
                TIMEOUT, CheckpointPolicy.none()).fit(net, train.x(), train.y(), null, val == null ? null : val.x(),
                val == null ? null : val.y(), TrainingListener.NONE);
    }

    private static Network network(String layers, int vocabulary) {
        return Network.of(Shape.vector(vocabulary), LayerList.parse(layers), 3, Loss.CROSS_ENTROPY);
    }

    private static TrainingConfig config(OptimizerKind optimizer, float weightDecay) {
        Map<io.ringfold.train.Hyperparameter<?>, Object> m = new HashMap<>();
        m.put(Hyperparameters.EPOCHS, 3);
        m.put(Hyperparameters.BATCH_SIZE, 16);
        m.put(Hyperparameters.OPTIMIZER, optimizer);
        m.put(Hyperparameters.LEARNING_RATE, optimizer == OptimizerKind.ADAM ? 0.01f : 0.1f);
        m.put(Hyperparameters.WEIGHT_DECAY, weightDecay);
        m.put(Hyperparameters.SEED, 5L);
        return TrainingConfig.of(m);
    }

    @ParameterizedTest(name = "{0} {1}, weight decay {2}")
    @CsvSource({"ADAM, mean, 0", "ADAM, sum, 0.01", "SGD, mean, 0.01", "SGD, sum, 0"})
    void twoAndThreeWorkerThreadsGiveTheBitsOfOneUnshardedWorker(OptimizerKind optimizer, String mode, float decay) {
        System.out.println("data seeds " + DATA_SEED + " (training) and " + (DATA_SEED + 1) + " (validation)");
        TokenCounts.Texts train = TRAIN;
        TokenCounts.Texts val = VAL;
        Network net = network("embeddingbag(16,mode=" + mode + "),relu,dense(8)", 90);
        TrainingConfig cfg = config(optimizer, decay);
        Blas blas = BlasSelection.createRequested(1);
        TrainingResult reference = unsharded(cfg, net, train, val);
        assertThat(reference.epochs().get(2).loss()).as("learns").isLessThan(reference.epochs().get(0).loss());
        for (int workers : new int[] {1, 2, 3}) {
            TrainingResult r = WorkerThreads.fitter(new DataParallelTrainer(cfg, blas, SHARDS, true, true), workers,
                    TIMEOUT, CheckpointPolicy.none()).fit(net, train.x(), train.y(), null, val.x(), val.y(),
                    TrainingListener.NONE);
            assertThat(r.parameters()).as("%d workers", workers).containsExactly(reference.parameters());
            assertSameMetrics(r.epochs(), reference.epochs());
        }
    }

    /** Batch normalisation's running statistics and dropout's masks after a sharded table: the same bits. */
    @Test
    void aRestWithBatchNormalisationAndDropoutKeepsTheBits() {
        Network net = network("embeddingbag(16),batchnorm,relu,dropout(0.3),dense(8),relu", 90);
        TrainingConfig cfg = config(OptimizerKind.ADAM, 0.01f);
        TrainingResult reference = unsharded(cfg, net, TRAIN, VAL);
        for (int workers : new int[] {2, 3}) {
            TrainingResult r = WorkerThreads.fitter(new DataParallelTrainer(cfg, BlasSelection.createRequested(1),
                    SHARDS, true, true), workers, TIMEOUT, CheckpointPolicy.none()).fit(net, TRAIN.x(), TRAIN.y(),
                    null, VAL.x(), VAL.y(), TrainingListener.NONE);
            assertThat(r.parameters()).as("%d workers", workers).containsExactly(reference.parameters());
        }
    }

    @Test
    void twoWorkersOverTcpGiveTheBitsOfOneUnshardedWorker() throws Exception {
        TokenCounts.Texts train = TRAIN;
        Network net = NET;
        TrainingConfig cfg = config(OptimizerKind.ADAM, 0.01f);
        Blas blas = BlasSelection.createRequested(1);
        TrainingResult reference = unsharded(cfg, net, train, null);
        DataParallelTrainer sharded = new DataParallelTrainer(cfg, blas, SHARDS, true, true);
        List<TrainingResult> results = overTcp(2, comm -> sharded.fit(comm, net, train.x(), train.y(), null, null,
                TrainingListener.NONE));
        for (TrainingResult r : results) {
            assertThat(r.parameters()).containsExactly(reference.parameters());
        }
    }

    /** Early stopping hands back the best epoch's table, assembled from each worker's copy of its rows. */
    @Test
    void earlyStoppingReturnsTheBestEpochsRowsAsOneUnshardedWorkerDoes() {
        TokenCounts.Texts train = TRAIN;
        TokenCounts.Texts val = VAL;
        Network net = NET;
        Map<io.ringfold.train.Hyperparameter<?>, Object> m = new HashMap<>();
        m.put(Hyperparameters.EPOCHS, 12);
        m.put(Hyperparameters.BATCH_SIZE, 16);
        m.put(Hyperparameters.LEARNING_RATE, 0.05f);
        m.put(Hyperparameters.PATIENCE, 1);
        m.put(Hyperparameters.VALIDATION_SPLIT, 0.2); // required with patience; the data here are split already
        m.put(Hyperparameters.SEED, 5L);
        TrainingConfig cfg = TrainingConfig.of(m);
        Blas blas = BlasSelection.createRequested(1);
        TrainingResult reference = unsharded(cfg, net, train, val);
        assertThat(reference.stoppedEarly()).as("stops early").isTrue();
        TrainingResult r = WorkerThreads.fitter(new DataParallelTrainer(cfg, blas, SHARDS, true, true), 2, TIMEOUT,
                CheckpointPolicy.none()).fit(net, train.x(), train.y(), null, val.x(), val.y(), TrainingListener.NONE);
        assertThat(r.stoppedEarly()).isTrue();
        assertThat(r.parameters()).containsExactly(reference.parameters());
    }

    /**
     * Killed in epoch 2 on two workers, resumed on three from the checkpoint of global step 15 (each worker's
     * rows from the files of the workers that held them): the bits of an uninterrupted unsharded run.
     */
    @Test
    void aRunResumedWithAnotherWorkerCountEndsWithTheUninterruptedBits() {
        TokenCounts.Texts train = TRAIN;
        TokenCounts.Texts val = VAL;
        Network net = NET;
        TrainingConfig cfg = config(OptimizerKind.ADAM, 0.01f);
        Blas blas = BlasSelection.createRequested(1);
        TrainingResult whole = unsharded(cfg, net, train, val);
        CheckpointPolicy policy = new CheckpointPolicy(dir, 3, 1, true);
        DataParallelTrainer sharded = new DataParallelTrainer(cfg, blas, SHARDS, true, true);
        TrainingListener killer = new TrainingListener() {
            @Override
            public void onStep(int epoch, int step, int steps) {
                if (epoch == 2 && step == 7) {
                    throw new IllegalStateException("killed for the test");
                }
            }
        };
        assertThatThrownBy(() -> WorkerThreads.fitter(sharded, 2, TIMEOUT, policy).fit(net, train.x(), train.y(), null,
                val.x(), val.y(), killer)).hasMessage("killed for the test");
        int[] resumedAt = {-1, -1};
        TrainingResult resumed = WorkerThreads.fitter(sharded, 3, TIMEOUT, policy).fit(net, train.x(), train.y(), null,
                val.x(), val.y(), new TrainingListener() {
                    @Override
                    public void onResume(Path checkpoint, int epoch, int step, int steps) {
                        resumedAt[0] = epoch;
                        resumedAt[1] = step;
                    }
                });
        assertThat(resumedAt).as("resumed from the mid-epoch checkpoint").containsExactly(2, 5);
        assertThat(resumed.parameters()).containsExactly(whole.parameters());
        assertSameMetrics(resumed.epochs(), whole.epochs());
    }

    @Test
    void eachWorkerHoldsItsShareOfTheRowsAndTheirInitialValues() throws Exception {
        int vocabulary = 100;
        Network net = network("embeddingbag(8),relu,dense(4)", vocabulary);
        EmbeddingTable table = EmbeddingTable.of(net);
        float[] full = net.initialParameters(9);
        int workers = 3;
        InProcessGroup group = new InProcessGroup(workers, TIMEOUT);
        int held = 0;
        for (int rank = 0; rank < workers; rank++) {
            TableShard shard = new TableShard(group.communicator(rank), BlasSelection.createRequested(1), table,
                    new Adam(0.9f, 0.999f, 1e-8f), 9, 0f, 1, 4);
            assertThat(shard.rowsHeld()).as("rank %d", rank).isBetween(vocabulary / workers, vocabulary / workers + 1);
            assertThat(shard.optimizerEntries()).isEqualTo(shard.rowsHeld() * 8);
            int first = TableShard.firstRow(rank, workers, vocabulary);
            assertThat(first).isEqualTo(held);
            float[] rows = new float[shard.rowsHeld() * 8];
            table.initialRows(9, first, first + shard.rowsHeld(), rows, 0);
            assertThat(rows).containsExactly(java.util.Arrays.copyOfRange(full, first * 8, (first + shard.rowsHeld()) * 8));
            held += shard.rowsHeld();
        }
        assertThat(held).isEqualTo(vocabulary);
        assertThat(table.initialRest(9)).containsExactly(java.util.Arrays.copyOfRange(full, vocabulary * 8, full.length));
    }

    /** Before any step the assembled vector is the network's initial one, in one piece or in pieces of 7 rows. */
    @Test
    void theAssembledVectorIsTheWholeInitialOneWhateverThePieces() throws Exception {
        int vocabulary = 100;
        Network net = network("embeddingbag(8),relu,dense(4)", vocabulary);
        EmbeddingTable table = EmbeddingTable.of(net);
        float[] full = net.initialParameters(9);
        int workers = 3;
        InProcessGroup group = new InProcessGroup(workers, TIMEOUT);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            List<Future<float[][]>> f = new ArrayList<>();
            for (int r = 0; r < workers; r++) {
                Communicator comm = group.communicator(r);
                f.add(pool.submit(() -> {
                    TableShard shard = new TableShard(comm, BlasSelection.createRequested(1), table,
                            new Adam(0.9f, 0.999f, 1e-8f), 9, 0f, 1, 4);
                    return new float[][] {shard.assemble(table.initialRest(9), false),
                            shard.assemble(table.initialRest(9), false, 7)};
                }));
            }
            for (Future<float[][]> x : f) {
                float[][] assembled = x.get(60, TimeUnit.SECONDS);
                assertThat(assembled[0]).containsExactly(full);
                assertThat(assembled[1]).containsExactly(full);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void whatItCannotDoIsRefusedByName() {
        TokenCounts.Texts train = texts(DATA_SEED, 40, 30);
        Blas blas = BlasSelection.createRequested(1);
        TrainingConfig cfg = config(OptimizerKind.ADAM, 0f);
        assertThatThrownBy(() -> new DataParallelTrainer(cfg, blas, SHARDS, false, true))
                .hasMessage("--shard-embeddings with --allreduce float32 (expected: --allreduce exact, whose sums the "
                        + "sharded table's are added to)");
        Network dense = Network.of(Shape.vector(30), LayerList.parse("dense(8),relu"), 3, Loss.CROSS_ENTROPY);
        assertThatThrownBy(() -> fit(cfg, dense, train, CheckpointPolicy.none()))
                .hasMessage("--shard-embeddings: the network's first layer is layers[0] dense(8) (expected: an "
                        + "embeddingbag layer, whose table it splits)");
        Network text = network("embeddingbag(4),relu", 30);
        FloatMatrix denseCounts = train.x().toDense();
        assertThatThrownBy(() -> WorkerThreads.fitter(new DataParallelTrainer(cfg, blas, SHARDS, true, true), 2,
                TIMEOUT, CheckpointPolicy.none()).fit(text, denseCounts, train.y(), null, null, null,
                TrainingListener.NONE))
                .hasMessage("--shard-embeddings: dense input (expected: sparse token counts, as a text column gives)");
    }

    private static TrainingResult fit(TrainingConfig cfg, Network net, TokenCounts.Texts data, CheckpointPolicy policy) {
        return WorkerThreads.fitter(new DataParallelTrainer(cfg, BlasSelection.createRequested(1), SHARDS, true, true),
                2, TIMEOUT, policy).fit(net, data.x(), data.y(), null, null, null, TrainingListener.NONE);
    }

    private static void assertSameMetrics(List<EpochMetrics> actual, List<EpochMetrics> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(actual.get(i).loss()).as("epoch %d loss", i + 1).isEqualTo(expected.get(i).loss());
            assertThat(actual.get(i).validationLoss()).as("epoch %d validation loss", i + 1)
                    .isEqualTo(expected.get(i).validationLoss());
            assertThat(actual.get(i).validationAccuracy()).isEqualTo(expected.get(i).validationAccuracy());
        }
    }

    private interface RankFit {
        TrainingResult fit(Communicator comm);
    }

    /** {@code size} ranks over TCP on this host, each a thread training with its own communicator. */
    static List<TrainingResult> overTcp(int size, RankFit fit) throws Exception {
        TcpEndpoint rank0 = TcpEndpoint.bind("127.0.0.1", 0);
        InetSocketAddress at = rank0.address();
        ExecutorService pool = Executors.newFixedThreadPool(size);
        try {
            List<Future<TrainingResult>> f = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                int rank = r;
                f.add(pool.submit(() -> {
                    try (TcpCommunicator comm = TcpRendezvous.join(rank == 0 ? rank0 : TcpEndpoint.bind("127.0.0.1", 0),
                            at, rank, size, TcpOptions.defaults(TIMEOUT))) {
                        return fit.fit(comm);
                    }
                }));
            }
            List<TrainingResult> out = new ArrayList<>();
            for (Future<TrainingResult> x : f) {
                out.add(x.get(120, TimeUnit.SECONDS));
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
