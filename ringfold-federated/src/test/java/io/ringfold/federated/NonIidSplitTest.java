package io.ringfold.federated;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NonIidSplitTest {

    @Test
    void everyClientHoldsExactlyItsLabelsAndEveryRowGoesOnce() {
        float[] labels = new float[1000];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (i * 7) % 10;
        }
        List<int[]> parts = NonIidSplit.rows(labels, 10, 2, 5);
        Set<Integer> seen = new HashSet<>();
        for (int[] p : parts) {
            Set<Float> held = new HashSet<>();
            for (int r : p) {
                assertThat(seen.add(r)).as("row %d once", r).isTrue();
                held.add(labels[r]);
            }
            assertThat(held).hasSize(2);
            assertThat(p.length).isEqualTo(100);
        }
        assertThat(seen).hasSize(1000);
        assertThat(NonIidSplit.rows(labels, 10, 2, 5)).usingRecursiveComparison().isEqualTo(parts);
        assertThat(NonIidSplit.rows(labels, 10, 2, 6)).usingRecursiveComparison().isNotEqualTo(parts);
    }

    @Test
    void fewerHoldersThanLabelsLeaveRowsOut() {
        float[] labels = {0, 1, 2, 3, 0, 1, 2, 3};
        List<int[]> parts = NonIidSplit.rows(labels, 1, 2, 1);
        assertThat(parts.get(0)).hasSize(4);
    }
}
