package io.ringfold.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The promise behind deterministic training: VectorBlas gives the same bits for any thread count. */
class VectorBlasThreadInvarianceTest {

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
}
