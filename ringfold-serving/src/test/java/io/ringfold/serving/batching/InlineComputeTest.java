package io.ringfold.serving.batching;

import io.ringfold.tensor.FloatMatrix;
import io.ringfold.model.Model;
import io.ringfold.serving.GatedBlas;
import io.ringfold.serving.backend.ringfold.RingfoldServable;
import io.ringfold.serving.TestModels;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * With batching off, a fast model computes on the submitting thread; a slow one (here: a threshold of 0,
 * or batching on) still goes through a worker. The thresholds are extreme (0, Long.MAX_VALUE) so that no
 * outcome depends on how fast this machine computes.
 */
class InlineComputeTest {

    private final Model model = TestModels.linear();

    /** The thread that computed each batch, and each batch's rows and queue time. */
    private static final class Threads implements BatchObserver {
        final List<Thread> computedOn = new CopyOnWriteArrayList<>();
        final List<Integer> rows = new CopyOnWriteArrayList<>();
        final List<Long> queued = new CopyOnWriteArrayList<>();

        @Override
        public void batch(int r, int requests, long computeNanos) {
            computedOn.add(Thread.currentThread());
            rows.add(r);
        }

        @Override
        public void queued(long queueNanos) {
            queued.add(queueNanos);
        }
    }

    private static InferenceJob<float[], FloatMatrix> job(float x0, float x1) {
        return new InferenceJob<>(new float[] {x0, x1}, 1);
    }

    @Test
    void aFastModelWithBatchingOffComputesOnTheCallingThreadOnceItsComputeTimeIsKnown() throws Exception {
        Threads seen = new Threads();
        DynamicBatcher<float[], FloatMatrix> b = new DynamicBatcher<>("t", RingfoldServable.batchFunction(model, Blas.get()), new BatchingConfig(false, 8, 1000, 16, 1), seen,
                Long.MAX_VALUE);
        assertThat(b.computeNanosPerRow()).isEqualTo(-1);
        InferenceJob<float[], FloatMatrix> first = job(0, 0);
        b.submit(first); // no estimate yet: queued, like a version's warm-up
        assertThat(first.result().get(10, TimeUnit.SECONDS).data()).containsExactly(0.5f);
        assertThat(seen.computedOn.get(0)).isNotSameAs(Thread.currentThread());
        assertThat(b.computeNanosPerRow()).isGreaterThanOrEqualTo(0);

        InferenceJob<float[], FloatMatrix> second = job(1, 0);
        b.submit(second);
        // y = 2 x0 - x1 + 0.5, by hand; complete before submit returned, computed here.
        assertThat(second.result().isDone()).isTrue();
        assertThat(second.result().join().data()).containsExactly(2.5f);
        assertThat(seen.computedOn.get(1)).isSameAs(Thread.currentThread());
        assertThat(seen.rows).containsExactly(1, 1);
        assertThat(seen.queued).hasSize(2);
        b.shutdown();
        assertThat(b.awaitTermination(5000)).isTrue();
        assertThatThrownBy(() -> b.submit(job(3, 0))).isInstanceOf(io.ringfold.serving.core.UnavailableException.class)
                .hasMessage("t: batcher shut down (expected: a loaded version)");
    }

    @Test
    void aModelSlowerThanTheThresholdIsQueued() throws Exception {
        Threads seen = new Threads();
        DynamicBatcher<float[], FloatMatrix> b = new DynamicBatcher<>("t", RingfoldServable.batchFunction(model, Blas.get()), new BatchingConfig(false, 8, 1000, 16, 1), seen, 0);
        for (int i = 0; i < 3; i++) {
            InferenceJob<float[], FloatMatrix> j = job(i, 0);
            b.submit(j);
            assertThat(j.result().get(10, TimeUnit.SECONDS).data()).containsExactly(2 * i + 0.5f);
        }
        assertThat(seen.computedOn).hasSize(3).allSatisfy(t -> {
            assertThat(t).isNotSameAs(Thread.currentThread());
            assertThat(t.getName()).isEqualTo("batch-t-0");
        });
        b.shutdown();
        assertThat(b.awaitTermination(5000)).isTrue();
    }

    @Test
    void withBatchingOnEveryJobIsQueuedHoweverFastTheModel() throws Exception {
        Threads seen = new Threads();
        DynamicBatcher<float[], FloatMatrix> b = new DynamicBatcher<>("t", RingfoldServable.batchFunction(model, Blas.get()), new BatchingConfig(true, 8, 0, 16, 1), seen,
                Long.MAX_VALUE);
        for (int i = 0; i < 3; i++) {
            InferenceJob<float[], FloatMatrix> j = job(i, 0);
            b.submit(j);
            j.result().get(10, TimeUnit.SECONDS);
        }
        assertThat(seen.computedOn).hasSize(3).allSatisfy(t -> assertThat(t.getName()).isEqualTo("batch-t-0"));
        b.shutdown();
    }

    @Test
    void shutdownWaitsForAnInlineComputationInFlight() throws Exception {
        GatedBlas gate = new GatedBlas();
        DynamicBatcher<float[], FloatMatrix> b = new DynamicBatcher<>("t", RingfoldServable.batchFunction(model, gate), new BatchingConfig(false, 8, 1000, 16, 1),
                BatchObserver.NONE, Long.MAX_VALUE);
        InferenceJob<float[], FloatMatrix> warm = job(0, 0);
        b.submit(warm);
        warm.result().get(10, TimeUnit.SECONDS);
        gate.close();
        InferenceJob<float[], FloatMatrix> held = job(1, 0);
        Thread caller = new Thread(() -> b.submit(held), "caller");
        caller.start();
        gate.awaitWaiting(1); // computing inline on "caller", held at the gate
        b.shutdown();
        assertThat(b.awaitTermination(20)).isFalse();
        assertThat(held.result().isDone()).isFalse();
        gate.open();
        assertThat(b.awaitTermination(5000)).isTrue();
        assertThat(held.result().join().data()).containsExactly(2.5f);
        caller.join(5000);
    }
}
