package io.ringfold.serving.batching;

import io.ringfold.model.Model;
import io.ringfold.serving.GatedBlas;
import io.ringfold.serving.backend.ringfold.RingfoldServable;
import io.ringfold.serving.RandomModels;
import io.ringfold.serving.TestModels;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DynamicBatcherTest {

    private final Model model = TestModels.linear();

    /** Records the rows and the requests of every batch. */
    private static final class Sizes implements BatchObserver {
        final List<Integer> rows = new CopyOnWriteArrayList<>();
        final List<Integer> requests = new CopyOnWriteArrayList<>();

        @Override
        public void batch(int r, int n, long computeNanos) {
            rows.add(r);
            requests.add(n);
        }

        @Override
        public void queued(long queueNanos) {
        }
    }

    private static InferenceJob<float[], FloatMatrix> job(float... xs) {
        return new InferenceJob<>(xs, xs.length / 2);
    }

    @Test
    void queuedJobsRunAsOneBatchAndEachGetsItsOwnRows() throws Exception {
        GatedBlas gate = new GatedBlas();
        Sizes sizes = new Sizes();
        DynamicBatcher<float[], FloatMatrix> b = new DynamicBatcher<>("t", RingfoldServable.batchFunction(model, gate), new BatchingConfig(true, 8, 0, 16, 1), sizes);
        gate.close();
        InferenceJob<float[], FloatMatrix> first = job(0, 0);
        b.submit(first);
        gate.awaitWaiting(1); // the first job is in compute; the next three queue behind it
        List<InferenceJob<float[], FloatMatrix>> jobs = new ArrayList<>();
        jobs.add(job(1, 0));
        jobs.add(job(0, 1, 1, 1));
        jobs.add(job(3, 2));
        for (InferenceJob<float[], FloatMatrix> j : jobs) {
            b.submit(j);
        }
        gate.open();
        // y = 2 x0 - x1 + 0.5, computed by hand.
        assertThat(first.result().get(10, TimeUnit.SECONDS).data()).containsExactly(0.5f);
        assertThat(jobs.get(0).result().get(10, TimeUnit.SECONDS).data()).containsExactly(2.5f);
        assertThat(jobs.get(1).result().get(10, TimeUnit.SECONDS).data()).containsExactly(-0.5f, 1.5f);
        assertThat(jobs.get(2).result().get(10, TimeUnit.SECONDS).data()).containsExactly(4.5f);
        assertThat(sizes.rows).containsExactly(1, 4);
        b.shutdown();
        assertThat(b.awaitTermination(5000)).isTrue();
    }

    /** Before, an Error in compute ended the worker thread, and every later job waited forever. */
    @Test
    void anErrorInComputeFailsItsBatchAndTheWorkerGoesOn() throws Exception {
        GatedBlas gate = new GatedBlas();
        DynamicBatcher<float[], FloatMatrix> b = new DynamicBatcher<>("t", RingfoldServable.batchFunction(model, gate), new BatchingConfig(true, 8, 0, 16, 1), new Sizes());
        gate.failNext(new StackOverflowError("injected"));
        InferenceJob<float[], FloatMatrix> failing = job(1, 0);
        b.submit(failing);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> failing.result().get(10, TimeUnit.SECONDS)))
                .hasCauseInstanceOf(StackOverflowError.class);
        InferenceJob<float[], FloatMatrix> next = job(1, 0);
        b.submit(next);
        assertThat(next.result().get(10, TimeUnit.SECONDS).data()).containsExactly(2.5f);
        b.shutdown();
        assertThat(b.awaitTermination(5000)).isTrue();
    }

    @Test
    void aJobThatWouldOverflowTheBatchHeadsTheNextOne() throws Exception {
        GatedBlas gate = new GatedBlas();
        Sizes sizes = new Sizes();
        DynamicBatcher<float[], FloatMatrix> b = new DynamicBatcher<>("t", RingfoldServable.batchFunction(model, gate), new BatchingConfig(true, 3, 0, 16, 1), sizes);
        gate.close();
        b.submit(job(0, 0));
        gate.awaitWaiting(1);
        InferenceJob<float[], FloatMatrix> two = job(1, 0, 1, 0);
        InferenceJob<float[], FloatMatrix> twoMore = job(1, 0, 1, 0);
        b.submit(two);
        b.submit(twoMore);
        gate.open();
        twoMore.result().get(10, TimeUnit.SECONDS);
        assertThat(sizes.rows).containsExactly(1, 2, 2);
        b.shutdown();
    }

    /** With every worker idle a lone job does not wait out the (here 30 s) delay: no one else can join. */
    @Test
    void aLoneJobRunsAtOnceWhenNoWorkerIsComputing() throws Exception {
        GatedBlas gate = new GatedBlas();
        Sizes sizes = new Sizes();
        DynamicBatcher<float[], FloatMatrix> b = new DynamicBatcher<>("t", RingfoldServable.batchFunction(model, gate), new BatchingConfig(true, 8, 30_000_000, 16, 1), sizes);
        InferenceJob<float[], FloatMatrix> a = job(0, 0);
        b.submit(a);
        a.result().get(10, TimeUnit.SECONDS);
        assertThat(sizes.rows).containsExactly(1);
        b.shutdown();
    }

    /** While one worker computes, the next one waits for rows to join its batch (up to the batch size). */
    @Test
    void whileAWorkerComputesTheNextBatchWaitsForMoreRows() throws Exception {
        GatedBlas gate = new GatedBlas();
        Sizes sizes = new Sizes();
        DynamicBatcher<float[], FloatMatrix> b = new DynamicBatcher<>("t", RingfoldServable.batchFunction(model, gate), new BatchingConfig(true, 2, 30_000_000, 16, 2), sizes);
        gate.close();
        InferenceJob<float[], FloatMatrix> lone = job(0, 0);
        b.submit(lone);
        gate.awaitWaiting(1);
        InferenceJob<float[], FloatMatrix> first = job(1, 0);
        InferenceJob<float[], FloatMatrix> second = job(2, 0);
        b.submit(first);
        b.submit(second);
        gate.awaitWaiting(2);
        gate.open();
        // Both batches' results: each batch is observed before its jobs complete, so both sizes are in.
        second.result().get(10, TimeUnit.SECONDS);
        lone.result().get(10, TimeUnit.SECONDS);
        assertThat(sizes.rows).containsExactlyInAnyOrder(1, 2);
        b.shutdown();
    }

    @Test
    void withBatchingOffEveryJobRunsAlone() throws Exception {
        GatedBlas gate = new GatedBlas();
        Sizes sizes = new Sizes();
        DynamicBatcher<float[], FloatMatrix> b = new DynamicBatcher<>("t", RingfoldServable.batchFunction(model, gate), new BatchingConfig(false, 8, 1000, 16, 1), sizes);
        gate.close();
        InferenceJob<float[], FloatMatrix> lone = job(0, 0);
        b.submit(lone);
        gate.awaitWaiting(1);
        InferenceJob<float[], FloatMatrix> a = job(1, 0);
        InferenceJob<float[], FloatMatrix> c = job(2, 0);
        b.submit(a);
        b.submit(c);
        gate.open();
        for (InferenceJob<float[], FloatMatrix> j : new InferenceJob[] {lone, a, c}) {
            j.result().get(10, TimeUnit.SECONDS); // each observed before it completes
        }
        assertThat(sizes.rows).containsExactly(1, 1, 1);
        b.shutdown();
    }

    @Test
    void aFullQueueRefusesTheNextJobAndShutdownFinishesTheQueuedOnes() throws Exception {
        GatedBlas gate = new GatedBlas();
        DynamicBatcher<float[], FloatMatrix> b = new DynamicBatcher<>("m-1", RingfoldServable.batchFunction(model, gate), new BatchingConfig(true, 1, 0, 2, 1), BatchObserver.NONE);
        gate.close();
        b.submit(job(0, 0));
        gate.awaitWaiting(1);
        InferenceJob<float[], FloatMatrix> q1 = job(1, 0);
        InferenceJob<float[], FloatMatrix> q2 = job(2, 0);
        b.submit(q1);
        b.submit(q2);
        assertThatThrownBy(() -> b.submit(job(3, 0))).isInstanceOf(QueueFullException.class)
                .hasMessage("m-1: queue full, 2 requests waiting (expected: fewer; retry later)");
        b.shutdown();
        assertThatThrownBy(() -> b.submit(job(3, 0))).isInstanceOf(io.ringfold.serving.core.UnavailableException.class);
        gate.open();
        assertThat(q2.result().get(10, TimeUnit.SECONDS).data()).containsExactly(4.5f);
        assertThat(b.awaitTermination(5000)).isTrue();
    }

    /**
     * Clients submit concurrently while a held batch computes, so their requests queue and are batched
     * together; every row must come back with the bits it has when predicted alone. Models with hidden
     * layers and 784 or 300 inputs: in their products the summation order shows in the last bits.
     */
    @Test
    void batchedOutputsEqualOneByOnePredictions() throws Exception {
        long seed = Long.getLong("ringfold.invariance.seed", 20261207L);
        System.out.println("DynamicBatcherTest.batchedOutputsEqualOneByOnePredictions: seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (Model m : new Model[] {RandomModels.classifier(random), RandomModels.regressor(random)}) {
            int width = m.network().inputSize();
            int k = m.network().outputs();
            GatedBlas gate = new GatedBlas();
            Sizes sizes = new Sizes();
            DynamicBatcher<float[], FloatMatrix> b = new DynamicBatcher<>("w", RingfoldServable.batchFunction(m, gate), new BatchingConfig(true, 32, 2000, 1024, 2), sizes);
            gate.close();
            InferenceJob<float[], FloatMatrix> held = new InferenceJob<>(RandomModels.rows(random, 1, width), 1);
            b.submit(held);
            gate.awaitWaiting(1);
            int clients = 4;
            int perClient = 25;
            List<InferenceJob<float[], FloatMatrix>> jobs = new CopyOnWriteArrayList<>();
            List<SplittableRandom> streams = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                streams.add(random.split());
            }
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<?>> submitted = new ArrayList<>();
                for (SplittableRandom r : streams) {
                    submitted.add(pool.submit(() -> {
                        for (int j = 0; j < perClient; j++) {
                            int rows = 1 + r.nextInt(4);
                            InferenceJob<float[], FloatMatrix> job = new InferenceJob<>(RandomModels.rows(r, rows, width), rows);
                            jobs.add(job);
                            b.submit(job);
                        }
                    }));
                }
                for (Future<?> f : submitted) {
                    f.get(10, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            gate.open();
            jobs.add(held);
            for (InferenceJob<float[], FloatMatrix> j : jobs) {
                float[] out = j.result().get(10, TimeUnit.SECONDS).data();
                for (int r = 0; r < j.rowCount(); r++) {
                    float[] row = java.util.Arrays.copyOfRange(j.input, r * width, (r + 1) * width);
                    float[] alone = m.predictPreprocessed(Blas.get(), new FloatMatrix(1, width, row)).data();
                    for (int c = 0; c < k; c++) {
                        assertThat(Float.floatToRawIntBits(out[r * k + c]))
                                .as("seed %d, %s, row %d of a %d-row request, output %d (batches of %s requests)",
                                        seed, m.network().describe(), r, j.rowCount(), c, sizes.requests)
                                .isEqualTo(Float.floatToRawIntBits(alone[c]));
                    }
                }
            }
            assertThat(sizes.requests).as("requests per batch").anyMatch(n -> n > 1);
            b.shutdown();
            assertThat(b.awaitTermination(5000)).isTrue();
        }
    }
}
