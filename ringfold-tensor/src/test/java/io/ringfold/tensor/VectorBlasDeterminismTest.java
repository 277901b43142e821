package io.ringfold.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The promises behind deterministic training: VectorBlas gives the same bits for any thread count, and
 * an element of C does not depend on which micro-tile (full, narrow or padded edge) computed it.
 */
class VectorBlasDeterminismTest {

    @Test
    void sgemmIsBitIdenticalForOneToFourThreads() {
        SplittableRandom random = new SplittableRandom(BlasContractTest.SEED + 10);
        // Each shape is past the parallel threshold; they split by rows (m >= n) and by columns.
        int[][] shapes = {{131, 97, 300}, {61, 257, 90}, {784, 128, 128}};
        Blas[] blases = {new VectorBlas(1), new VectorBlas(2), new VectorBlas(3), new VectorBlas(4)};
        for (int[] s : shapes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            float[] a = BlasContractTest.randomArray(random, m * k);
            float[] b = BlasContractTest.randomArray(random, k * n);
            float[] c0 = BlasContractTest.randomArray(random, m * n);
            for (int variant = 0; variant < 4; variant++) {
                boolean transA = (variant & 1) != 0;
                boolean transB = (variant & 2) != 0;
                float[] expected = null;
                for (Blas blas : blases) {
                    float[] c = c0.clone();
                    blas.sgemm(transA, transB, m, n, k, 0.7f, a, 0, transA ? m : k, b, 0, transB ? k : n,
                            0.3f, c, 0, n);
                    if (expected == null) {
                        expected = c;
                    } else {
                        assertThat(c).as("seed %d, %s, %dx%dx%d transA=%b transB=%b", BlasContractTest.SEED,
                                blas.name(), m, n, k, transA, transB).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void columnsComeOutTheSameWhateverTheWidthOfTheProduct() {
        SplittableRandom random = new SplittableRandom(BlasContractTest.SEED + 11);
        int m = 20;
        int k = 70;
        int wide = 64;
        float[] a = BlasContractTest.randomArray(random, m * k);
        float[] b = BlasContractTest.randomArray(random, k * wide);
        float[] full = new float[m * wide];
        Blas blas = new VectorBlas(1);
        blas.sgemm(false, false, m, wide, k, 1f, a, 0, k, b, 0, wide, 0f, full, 0, wide);
        // Narrower products over the first columns of the same B: their last tile is ragged (narrow
        // kernel or padded wide kernel) where the 64-wide product used full tiles.
        for (int n : new int[] {10, 16, 17, 42}) {
            float[] c = new float[m * n];
            blas.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, wide, 0f, c, 0, n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    assertThat(Float.floatToRawIntBits(c[i * n + j])).as("seed %d, n=%d, C[%d,%d]",
                            BlasContractTest.SEED + 11, n, i, j).isEqualTo(Float.floatToRawIntBits(full[i * wide + j]));
                }
            }
        }
    }
}
