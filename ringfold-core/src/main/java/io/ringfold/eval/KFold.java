package io.ringfold.eval;

import io.ringfold.random.SplitMix64;

/**
 * A seeded assignment of rows to k folds for cross-validation: each fold is held out once while the
 * others train. The rows are dealt round-robin in a SplitMix64 permutation of the rows, grouped by class
 * when stratified, so every class's rows are spread over the folds as evenly as they divide (the counts
 * differ by at most one), and so are all the rows. The assignment depends only on the labels, k and the
 * seed.
 */
public final class KFold {

    /** Stream identifier of the fold permutation, so it never shares random numbers with the other splits. */
    private static final long FOLD_SALT = 0x464f4c44L;

    private final int k;
    private final int[] foldOf;

    private KFold(int k, int[] foldOf) {
        this.k = k;
        this.foldOf = foldOf;
    }

    /** Folds of {@code rows} rows in a seeded random order (for regression). */
    public static KFold shuffled(int rows, int k, long seed) {
        return stratified(new int[rows], k, seed);
    }

    /**
     * Folds keeping each class's proportion: {@code classes[i]} is row i's class index (&gt;= 0). Every class
     * present needs at least k rows, so that it is in every held-out fold and every training part.
     *
     * @throws IllegalArgumentException {@code folds: ...} when k &lt; 2, k exceeds the rows, or stratification
     *                                  cannot put a class in every fold
     */
    public static KFold stratified(int[] classes, int k, long seed) {
        int n = classes.length;
        if (k < 2) {
            throw new IllegalArgumentException("folds: " + k + " (expected: at least 2)");
        }
        if (k > n) {
            throw new IllegalArgumentException("folds: " + k + " (expected: at most " + n + ", the number of rows)");
        }
        int numClasses = 0;
        for (int i = 0; i < n; i++) {
            if (classes[i] < 0) {
                throw new IllegalArgumentException("classes[" + i + "]: " + classes[i] + " (expected: >= 0)");
            }
            numClasses = Math.max(numClasses, classes[i] + 1);
        }
        int[] count = new int[numClasses];
        for (int c : classes) {
            count[c]++;
        }
        int smallest = -1;
        for (int c = 0; c < numClasses; c++) {
            if (count[c] > 0 && (smallest < 0 || count[c] < count[smallest])) {
                smallest = c;
            }
        }
        if (numClasses > 1 && count[smallest] < k) {
            throw new IllegalArgumentException("folds: " + k + " (expected: at most " + count[smallest]
                    + ", the rows of class " + smallest + ", the smallest class, so that every fold has every class)");
        }
        // Counting sort of the permutation by class keeps the permuted order within each class; dealing the
        // sorted rows round-robin then spreads each class, and the whole, over the folds evenly.
        int[] start = new int[numClasses + 1];
        for (int c = 0; c < numClasses; c++) {
            start[c + 1] = start[c] + count[c];
        }
        int[] byClass = new int[n];
        for (int row : new SplitMix64(seed ^ FOLD_SALT).permutation(n)) {
            byClass[start[classes[row]]++] = row;
        }
        int[] foldOf = new int[n];
        for (int i = 0; i < n; i++) {
            foldOf[byClass[i]] = i % k;
        }
        return new KFold(k, foldOf);
    }

    public int k() {
        return k;
    }

    public int rows() {
        return foldOf.length;
    }

    /** The fold that holds out {@code row}. */
    public int foldOf(int row) {
        return foldOf[row];
    }

    /** The rows fold {@code fold} holds out, in ascending order. */
    public int[] heldOut(int fold) {
        return rows(fold, true);
    }

    /** The rows fold {@code fold} trains on (all the others), in ascending order. */
    public int[] training(int fold) {
        return rows(fold, false);
    }

    private int[] rows(int fold, boolean held) {
        if (fold < 0 || fold >= k) {
            throw new IndexOutOfBoundsException("fold: " + fold + " (expected: in [0, " + k + "))");
        }
        int size = 0;
        for (int f : foldOf) {
            size += (f == fold) == held ? 1 : 0;
        }
        int[] out = new int[size];
        int j = 0;
        for (int i = 0; i < foldOf.length; i++) {
            if ((foldOf[i] == fold) == held) {
                out[j++] = i;
            }
        }
        return out;
    }
}
