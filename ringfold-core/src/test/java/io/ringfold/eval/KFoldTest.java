package io.ringfold.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringfold.random.SplitMix64;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KFoldTest {

    /** Imbalanced labels: 3 classes of 50, 31 and 9 rows, in a seeded random order. */
    private static int[] imbalancedLabels(long seed) {
        int[] y = new int[90];
        Arrays.fill(y, 50, 81, 1);
        Arrays.fill(y, 81, 90, 2);
        new SplitMix64(seed).shuffle(y, y.length);
        return y;
    }

    @Test
    void foldsPartitionTheRowsExactly() {
        for (int k : new int[] {2, 3, 7, 9}) {
            KFold folds = KFold.stratified(imbalancedLabels(3), k, 11);
            int[] heldCount = new int[folds.rows()];
            int smallest = Integer.MAX_VALUE;
            int largest = 0;
            for (int f = 0; f < k; f++) {
                int[] held = folds.heldOut(f);
                int[] train = folds.training(f);
                assertThat(held.length + train.length).isEqualTo(folds.rows());
                int[] union = concat(held, train);
                Arrays.sort(union);
                assertThat(union).as("fold %d of %d: held out and training make all rows once", f, k)
                        .isEqualTo(range(folds.rows()));
                for (int row : held) {
                    heldCount[row]++;
                    assertThat(folds.foldOf(row)).isEqualTo(f);
                }
                assertThat(held).isSorted();
                assertThat(train).isSorted();
                smallest = Math.min(smallest, held.length);
                largest = Math.max(largest, held.length);
            }
            assertThat(heldCount).as("every row held out exactly once, k = %d", k).containsOnly(1);
            assertThat(largest - smallest).as("fold sizes, k = %d", k).isLessThanOrEqualTo(1);
        }
    }

    @Test
    void stratificationKeepsClassProportions() {
        long seed = 20261207L;
        System.out.println("KFoldTest.stratificationKeepsClassProportions labels seed " + seed);
        int[] y = imbalancedLabels(seed);
        int[] total = {50, 31, 9};
        int k = 9;
        KFold folds = KFold.stratified(y, k, 5);
        for (int f = 0; f < k; f++) {
            int[] perClass = new int[3];
            for (int row : folds.heldOut(f)) {
                perClass[y[row]]++;
            }
            for (int c = 0; c < 3; c++) {
                // As evenly as the class divides: floor or ceil of its rows / k.
                assertThat(perClass[c]).as("fold %d, class %d", f, c)
                        .isBetween(total[c] / k, (total[c] + k - 1) / k);
            }
        }
    }

    @Test
    void sameSeedSameFoldsOtherSeedOtherFolds() {
        int[] y = imbalancedLabels(1);
        KFold a = KFold.stratified(y, 5, 42);
        KFold b = KFold.stratified(y, 5, 42);
        KFold c = KFold.stratified(y, 5, 43);
        int[] fa = new int[y.length];
        int[] fb = new int[y.length];
        int[] fc = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            fa[i] = a.foldOf(i);
            fb[i] = b.foldOf(i);
            fc[i] = c.foldOf(i);
        }
        assertThat(fb).isEqualTo(fa);
        assertThat(fc).isNotEqualTo(fa);
    }

    @Test
    void shuffledFoldsAreNotContiguousBlocks() {
        KFold folds = KFold.shuffled(100, 4, 7);
        int[] held = folds.heldOut(0);
        assertThat(held).hasSize(25);
        // A seeded shuffle, not rows 0..24: the held-out rows span the data.
        assertThat(held[held.length - 1] - held[0]).isGreaterThan(50);
        assertThat(KFold.shuffled(100, 4, 7).heldOut(0)).isEqualTo(held);
    }

    @Test
    void rejectsFoldsThatCannotBeMade() {
        assertThatThrownBy(() -> KFold.shuffled(10, 1, 0)).hasMessage("folds: 1 (expected: at least 2)");
        assertThatThrownBy(() -> KFold.shuffled(3, 4, 0))
                .hasMessage("folds: 4 (expected: at most 3, the number of rows)");
        assertThatThrownBy(() -> KFold.stratified(imbalancedLabels(1), 10, 0))
                .hasMessage("folds: 10 (expected: at most 9, the rows of class 2, the smallest class, so that every "
                        + "fold has every class)");
        assertThatThrownBy(() -> KFold.stratified(new int[] {0, -1}, 2, 0))
                .hasMessage("classes[1]: -1 (expected: >= 0)");
        assertThatThrownBy(() -> KFold.shuffled(4, 2, 0).heldOut(2))
                .hasMessage("fold: 2 (expected: in [0, 2))");
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        Arrays.setAll(r, i -> i);
        return r;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
