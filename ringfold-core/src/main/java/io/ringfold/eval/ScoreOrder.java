package io.ringfold.eval;

import java.util.Arrays;

/** Rows ordered by score, shared by the ranking metrics ({@link RocAuc}, {@link AveragePrecision}). */
final class ScoreOrder {

    private ScoreOrder() {
    }

    /** Row indices by ascending score, equal scores by row; -0 and +0 are one score. No boxing. */
    static int[] ascending(float[] scores) {
        int n = scores.length;
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            // The score's bits made order-preserving as a signed int in the high half, the row in the low half.
            int bits = Float.floatToIntBits(scores[i] == 0f ? 0f : scores[i]);
            bits ^= (bits >> 31) & 0x7fffffff;
            keys[i] = ((long) bits << 32) | i;
        }
        Arrays.sort(keys);
        int[] rows = new int[n];
        for (int i = 0; i < n; i++) {
            rows[i] = (int) keys[i];
        }
        return rows;
    }
}
