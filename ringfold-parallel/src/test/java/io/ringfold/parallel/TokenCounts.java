package io.ringfold.parallel;

import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.CsrMatrix;

import java.util.ArrayList;
import java.util.List;

/**
 * Seeded synthetic texts for the embedding tests: token counts (1 to 3) over a vocabulary, 3 classes, the class
 * deciding which third of the vocabulary a text draws from more often.
 */
final class TokenCounts {

    /** Counts (rows x vocabulary, sparse) and class labels. */
    record Texts(CsrMatrix x, float[] y) {
    }

    private TokenCounts() {
    }

    /** Each token of the class's third present with probability {@code likely}, every other with {@code unlikely}. */
    static Texts random(long seed, int rows, int vocabulary, double likely, double unlikely) {
        SplitMix64 rng = new SplitMix64(seed);
        int[] ptr = new int[rows + 1];
        List<Integer> cols = new ArrayList<>();
        List<Float> counts = new ArrayList<>();
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            int c = rng.nextInt(3);
            y[r] = c;
            for (int t = 0; t < vocabulary; t++) {
                double p = t / (vocabulary / 3) == c ? likely : unlikely;
                if (rng.nextDouble() < p) {
                    cols.add(t);
                    counts.add((float) (1 + rng.nextInt(3)));
                }
            }
            ptr[r + 1] = cols.size();
        }
        int[] ci = cols.stream().mapToInt(Integer::intValue).toArray();
        float[] v = new float[counts.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = counts.get(i);
        }
        return new Texts(new CsrMatrix(rows, vocabulary, ptr, ci, v), y);
    }
}
