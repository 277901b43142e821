package io.ringfold.spark;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool hands a returned array to the next request of its length, keeps at most a few per length, and
 * never hands one array out twice. (That a reused array's stale contents never reach training is shown by
 * RowExchangeTest and SparkDeterminismTest, whose repeated fits in one JVM reuse arrays and must match.)
 */
class RowBufferPoolTest {

    @Test
    void returnedArraysServeTheNextRequestOfTheirLengthOnce() {
        int length = 1_234_567; // a length no other test's fit uses
        float[] a = RowBufferPool.take(length);
        assertThat(a).hasSize(length);
        RowBufferPool.give(a);
        assertThat(RowBufferPool.take(length)).isSameAs(a);
        assertThat(RowBufferPool.take(length)).isNotSameAs(a).hasSize(length);
        assertThat(RowBufferPool.take(length + 1)).hasSize(length + 1);

        List<float[]> given = new ArrayList<>();
        for (int i = 0; i < RowBufferPool.MAX_PER_LENGTH + 2; i++) {
            float[] b = new float[length];
            given.add(b);
            RowBufferPool.give(b);
        }
        List<float[]> taken = new ArrayList<>();
        for (int i = 0; i < RowBufferPool.MAX_PER_LENGTH + 2; i++) {
            taken.add(RowBufferPool.take(length));
        }
        long reused = taken.stream().filter(t -> given.stream().anyMatch(g -> g == t)).count();
        assertThat(reused).isEqualTo(RowBufferPool.MAX_PER_LENGTH);
        assertThat(taken.stream().distinct().count()).isEqualTo(taken.size());
    }
}
