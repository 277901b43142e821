package io.ringfold.parallel;

import io.ringfold.collective.Communicator;
import io.ringfold.collective.InProcessGroup;
import io.ringfold.model.Architecture;
import io.ringfold.model.ModelType;
import io.ringfold.nn.Activation;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The owned-rows entry of the trainer: what a worker holding only its shards' rows (one Spark task) calls. */
class OwnedRowsTest {

    @Test
    void ownerAgreesWithTheContiguousShardBlocksOfEveryWorker() {
        for (int shards = 1; shards <= 9; shards++) {
            for (int workers = 1; workers <= shards; workers++) {
                int[] counted = new int[workers];
                for (int row = 0; row < 3 * shards + 2; row++) {
                    int w = OwnedRows.owner(row, workers, shards);
                    int shard = row % shards;
                    assertThat(shard).as("row %d, W=%d, S=%d", row, workers, shards)
                            .isGreaterThanOrEqualTo(ShardPlan.firstShard(w, workers, shards))
                            .isLessThan(ShardPlan.endShard(w, workers, shards));
                    counted[w]++;
                }
                for (int w = 0; w < workers; w++) {
                    assertThat(OwnedRows.count(3 * shards + 2, w, workers, shards)).isEqualTo(counted[w]);
                }
            }
        }
        assertThatThrownBy(() -> OwnedRows.owner(0, 5, 4)).hasMessage("workers: 5 (expected: 1..4, at most the shard count)");
    }

    @Test
    void ownedRowsGiveTheSameBitsAsTheFullMatrixForDenseAndSparseData() throws Exception {
        float[] y = new float[203];
        FloatMatrix dense = data(y);
        Network arch = new Architecture(ModelType.MLP, 6, new int[] {8}, Activation.TANH, 3, Loss.CROSS_ENTROPY).toNetwork();
        com.fasterxml.jackson.databind.node.ObjectNode n = TrainingConfig.defaults().toJson();
        n.put("epochs", 3).put("batchSize", 24).put("learningRate", 0.01).putArray("hidden").add(8);
        TrainingConfig cfg = TrainingConfig.fromJson(n);
        Blas blas = BlasSelection.createRequested(1);
        for (Matrix x : new Matrix[] {dense, sparse(dense)}) {
            for (int workers = 1; workers <= 3; workers++) {
                float[] full = run(cfg, blas, arch, x, y, workers, false);
                float[] owned = run(cfg, blas, arch, x, y, workers, true);
                assertThat(owned).as("%s, %d workers", x.getClass().getSimpleName(), workers).isEqualTo(full);
            }
        }
    }

    /** Row weights travel with the owned rows to the full-batch solver as they do with the full matrix. */
    @Test
    void weightedOwnedRowsGiveTheSameBitsAsTheWeightedFullMatrix() throws Exception {
        float[] y = new float[203];
        FloatMatrix x = data(y);
        float[] w = new float[y.length];
        SplitMix64 rng = new SplitMix64(5);
        for (int i = 0; i < w.length; i++) {
            y[i] = y[i] == 2 ? 1 : y[i];
            w[i] = 0.25f * (1 + rng.nextInt(8));
        }
        Network arch = new Architecture(ModelType.LOGISTIC, 6, new int[0], Activation.RELU, 1,
                Loss.BINARY_CROSS_ENTROPY).toNetwork();
        com.fasterxml.jackson.databind.node.ObjectNode n = TrainingConfig.defaults().toJson();
        n.put("model", "logistic").put("solver", "lbfgs").putArray("hidden");
        TrainingConfig cfg = TrainingConfig.fromJson(n);
        Blas blas = BlasSelection.createRequested(1);
        float[] unweighted = run(cfg, blas, arch, x, y, null, 1, false);
        for (int workers = 1; workers <= 3; workers++) {
            float[] full = run(cfg, blas, arch, x, y, w, workers, false);
            float[] owned = run(cfg, blas, arch, x, y, w, workers, true);
            assertThat(owned).as("%d workers", workers).isEqualTo(full).isNotEqualTo(unweighted);
        }
    }

    @Test
    void aWorkerGivenTheWrongNumberOfRowsIsToldWhichShardsItOwns() {
        float[] y = new float[20];
        FloatMatrix x = data(y);
        OwnedRows rows = new OwnedRows(x.gatherRows(new int[] {0, 1, 2}, 0, 3), Arrays.copyOf(y, 3), 20);
        assertThatThrownBy(() -> new LocalShards(rows, new ShardPlan(20, 4, 8), 0, 2))
                .hasMessage("owned rows: 3 (expected: 10, the rows of shards 0..1 of 20)");
    }

    /** Trains with W in-process workers, each given the full matrix or only its owned rows. */
    private static float[] run(TrainingConfig cfg, Blas blas, Network arch, Matrix x, float[] y, int workers,
                               boolean ownedOnly) throws InterruptedException {
        return run(cfg, blas, arch, x, y, null, workers, ownedOnly);
    }

    /** As above with row weights {@code w} (null: all 1). */
    private static float[] run(TrainingConfig cfg, Blas blas, Network arch, Matrix x, float[] y, float[] w,
                               int workers, boolean ownedOnly) throws InterruptedException {
        int shards = 4;
        InProcessGroup group = new InProcessGroup(workers, Duration.ofSeconds(30));
        TrainingResult[] results = new TrainingResult[workers];
        Throwable[] errors = new Throwable[workers];
        Thread[] threads = new Thread[workers];
        for (int r = 0; r < workers; r++) {
            int rank = r;
            threads[r] = new Thread(() -> {
                Communicator comm = group.communicator(rank);
                try {
                    DataParallelTrainer t = new DataParallelTrainer(cfg, blas, shards);
                    results[rank] = ownedOnly
                            ? t.fit(comm, arch, owned(x, y, w, rank, workers, shards), null, null,
                                    TrainingListener.NONE, CheckpointPolicy.none())
                            : t.fit(comm, arch, x, y, w, null, null, TrainingListener.NONE, CheckpointPolicy.none());
                } catch (Throwable e) {
                    errors[rank] = e;
                } finally {
                    comm.close();
                }
            });
            threads[r].start();
        }
        for (Thread t : threads) {
            // The collectives' deadline (30 s) ends any wait inside training; this bounds the rest.
            t.join(TimeUnit.SECONDS.toMillis(120));
            assertThat(t.isAlive()).as("worker thread %s still running after 120 s", t.getName()).isFalse();
        }
        for (Throwable e : errors) {
            assertThat(e).isNull();
        }
        return results[0].parameters();
    }

    /** The rows {@code rank} owns, in global order: what routing by {@link OwnedRows#owner} delivers. */
    private static OwnedRows owned(Matrix x, float[] y, float[] w, int rank, int workers, int shards) {
        int[] keep = new int[x.rows()];
        int k = 0;
        for (int i = 0; i < x.rows(); i++) {
            if (OwnedRows.owner(i, workers, shards) == rank) {
                keep[k++] = i;
            }
        }
        float[] labels = new float[k];
        float[] weights = w == null ? null : new float[k];
        for (int i = 0; i < k; i++) {
            labels[i] = y[keep[i]];
            if (weights != null) {
                weights[i] = w[keep[i]];
            }
        }
        return new OwnedRows(x.gatherRows(keep, 0, k), labels, weights, x.rows());
    }

    private static FloatMatrix data(float[] y) {
        SplitMix64 rng = new SplitMix64(11);
        FloatMatrix x = new FloatMatrix(y.length, 6);
        for (int i = 0; i < y.length; i++) {
            int c = rng.nextInt(3);
            y[i] = c;
            for (int j = 0; j < 6; j++) {
                // About half the entries zero, so the CSR copy is really sparse.
                x.set(i, j, rng.nextInt(2) == 0 ? 0f : (float) (c - j % 3 + rng.nextGaussian()));
            }
        }
        return x;
    }

    private static CsrMatrix sparse(FloatMatrix d) {
        int[] ptr = new int[d.rows() + 1];
        int nnz = 0;
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < d.cols(); c++) {
                nnz += d.get(r, c) != 0f ? 1 : 0;
            }
        }
        int[] col = new int[nnz];
        float[] val = new float[nnz];
        int p = 0;
        for (int r = 0; r < d.rows(); r++) {
            for (int c = 0; c < d.cols(); c++) {
                if (d.get(r, c) != 0f) {
                    col[p] = c;
                    val[p++] = d.get(r, c);
                }
            }
            ptr[r + 1] = p;
        }
        return new CsrMatrix(d.rows(), d.cols(), ptr, col, val);
    }

    @Test
    void localIndexIsTheRankAmongTheWorkersRowsInPositionOrder() {
        // Independent oracle: enumerate the rows in order and count each worker's.
        for (int[] layout : new int[][] {{1, 1}, {2, 8}, {3, 8}, {5, 7}}) {
            int workers = layout[0];
            int shards = layout[1];
            for (int total : new int[] {shards, 61, 64}) {
                int[] seen = new int[workers];
                for (int row = 0; row < total; row++) {
                    int w = OwnedRows.owner(row, workers, shards);
                    assertThat(OwnedRows.globalRow(seen[w], w, workers, shards)).isEqualTo(row);
                    assertThat(OwnedRows.localIndex(row, w, workers, shards)).isEqualTo(seen[w]++);
                }
                for (int w = 0; w < workers; w++) {
                    assertThat(seen[w]).isEqualTo(OwnedRows.count(total, w, workers, shards));
                }
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OwnedRows.localIndex(0, 1, 2, 8))
                .hasMessageContaining("row: 0 (expected: a row of worker 1's shards [4, 8) of 8)");
    }
}
