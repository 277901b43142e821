package io.ringfold.serving.backend.onnx;

import io.ringfold.serving.batching.BatchObserver;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.ringfold.serving.backend.onnx.OnnxFixtures.assertTensors;
import static io.ringfold.serving.backend.onnx.OnnxFixtures.infer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Requests batched together get the values they get alone: stacked along the first dimension, run once, and
 * sliced back; requests whose other dimensions differ, or whose outputs have no row per input row, run apart.
 */
class OnnxBatchingTest {

    private static final int CLIENTS = 4;
    private static final int REQUESTS = 60;

    /** A row count of 1 to 5 and random features, from the logged seed. */
    private static Tensor features(Random random) {
        int rows = 1 + random.nextInt(5);
        float[] v = new float[rows * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return Tensor.ofFloats("features", new long[] {rows, 4}, v);
    }

    /** Token ids of 1 to 3 rows and a sequence length of 3 or 5: requests of either length are not stackable. */
    private static Tensor tokens(Random random) {
        int rows = 1 + random.nextInt(3);
        int length = random.nextBoolean() ? 3 : 5;
        long[] v = new long[rows * length];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextInt(20);
        }
        return new Tensor("tokens", DataType.INT64, new long[] {rows, length}, v);
    }

    @Test
    void concurrentRequestsOfOneAndOfSeveralRowsGetTheValuesTheyGetAlone() throws Exception {
        concurrentRequestsMatchAlone("mlp", OnnxBatchingTest::features);
    }

    @Test
    void requestsOfDifferentSequenceLengthsBatchOnlyWithTheirOwnLength() throws Exception {
        concurrentRequestsMatchAlone("embedding", OnnxBatchingTest::tokens);
    }

    private static void concurrentRequestsMatchAlone(String fixture, java.util.function.Function<Random, Tensor> input)
            throws Exception {
        long seed = System.nanoTime();
        System.out.println("OnnxBatchingTest " + fixture + " seed: " + seed);
        Random random = new Random(seed);
        List<Tensor> inputs = new ArrayList<>();
        for (int i = 0; i < CLIENTS * REQUESTS; i++) {
            inputs.add(input.apply(random));
        }
        AtomicInteger shared = new AtomicInteger();
        BatchObserver observer = new BatchObserver() {
            @Override
            public void batch(int rows, int requests, long computeNanos) {
                if (requests > 1) {
                    shared.incrementAndGet();
                }
            }

            @Override
            public void queued(long queueNanos) {
            }
        };
        OnnxServable alone = OnnxFixtures.load(fixture, OnnxFixtures.BATCHING.withEnabled(false));
        OnnxServable batched = OnnxFixtures.load(fixture, OnnxFixtures.BATCHING, observer);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<List<Tensor>> expected = new ArrayList<>();
            for (Tensor t : inputs) {
                expected.add(infer(alone, List.of(t)));
            }
            List<Future<List<List<Tensor>>>> results = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int first = c * REQUESTS;
                results.add(clients.submit(() -> {
                    // Each client keeps several requests in flight, so that the queue holds some to batch.
                    List<CompletableFuture<List<Tensor>>> pending = new ArrayList<>();
                    for (int i = first; i < first + REQUESTS; i++) {
                        pending.add(batched.infer(List.of(inputs.get(i))));
                    }
                    List<List<Tensor>> out = new ArrayList<>();
                    for (CompletableFuture<List<Tensor>> p : pending) {
                        out.add(p.get(30, TimeUnit.SECONDS));
                    }
                    return out;
                }));
            }
            for (int c = 0; c < CLIENTS; c++) {
                List<List<Tensor>> out = results.get(c).get(60, TimeUnit.SECONDS);
                for (int i = 0; i < REQUESTS; i++) {
                    assertTensors(out.get(i), expected.get(c * REQUESTS + i), 0);
                }
            }
            assertThat(shared.get()).as("batches of several requests (seed %d)", seed).isPositive();
        } finally {
            clients.shutdownNow();
            assertThat(clients.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            OnnxServableTest.close(alone);
            OnnxServableTest.close(batched);
        }
    }

    /**
     * The batch function given a batch directly: the two 5-token requests around a 3-token one run apart from it,
     * and the one ONNX Runtime refuses (a token beyond the table) fails alone while the others get their values.
     */
    @Test
    void aBatchRunsByStackableRunsAndARefusedRequestFailsAlone() throws Exception {
        OnnxServable s = OnnxFixtures.load("embedding", OnnxFixtures.BATCHING);
        try {
            Tensor five = new Tensor("tokens", DataType.INT64, new long[] {2, 5}, new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
            Tensor three = new Tensor("tokens", DataType.INT64, new long[] {1, 3}, new long[] {11, 12, 13});
            Tensor bad = new Tensor("tokens", DataType.INT64, new long[] {1, 5}, new long[] {0, 0, 0, 0, 99});
            Tensor other = new Tensor("tokens", DataType.INT64, new long[] {1, 5}, new long[] {19, 18, 17, 16, 15});
            List<StackedRuns.Outcome> out = s.runs().apply(List.of(List.of(five), List.of(three), List.of(bad),
                    List.of(other)), 5);
            assertThat(out).hasSize(4);
            assertTensors(out.get(0).outputs(), infer(s, List.of(five)), 0);
            assertTensors(out.get(1).outputs(), infer(s, List.of(three)), 0);
            assertThatThrownBy(() -> out.get(2).outputs()).isInstanceOf(BadInputException.class)
                    .hasMessageContaining("99");
            assertTensors(out.get(3).outputs(), infer(s, List.of(other)), 0);
            assertThat(out.get(0).outputs().get(0).shape()).containsExactly(2, 6);
        } finally {
            OnnxServableTest.close(s);
        }
    }

    /** The batch-sum model's output has no batch dimension: batching is off, and each request sums its own rows. */
    @Test
    void aModelWhoseOutputHasNoRowPerInputRowRunsEachRequestAlone() throws Exception {
        OnnxServable s = OnnxFixtures.load("batch_sum", OnnxFixtures.BATCHING);
        try {
            assertThat(s.batching().enabled()).isFalse();
            Tensor x = Tensor.ofFloats("x", new long[] {2, 4}, new float[] {1, 2, 3, 4, 10, 20, 30, 40});
            Tensor y = Tensor.ofFloats("x", new long[] {1, 4}, new float[] {5, 5, 5, 5});
            List<StackedRuns.Outcome> out = s.runs().apply(List.of(List.of(x), List.of(y)), 3);
            assertThat(out.get(0).outputs().get(0).floats()).containsExactly(11, 22, 33, 44);
            assertThat(out.get(1).outputs().get(0).floats()).containsExactly(5, 5, 5, 5);
        } finally {
            OnnxServableTest.close(s);
        }
    }
}
