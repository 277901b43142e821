package io.ringfold.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sparse products against the dense reference product of the same matrix. */
class CsrMatrixTest {

    private static final long SEED = 77L;

    @Test
    void multiplyAndTransposeMultiplyMatchDenseReference() {
        SplittableRandom random = new SplittableRandom(SEED);
        int rows = 37;
        int cols = 53;
        int width = 19;
        CsrMatrix sparse = randomCsr(random, rows, cols, 0.1);
        FloatMatrix dense = sparse.toDense();
        FloatMatrix w = new FloatMatrix(cols, width, BlasContractTest.randomArray(random, cols * width));
        FloatMatrix d = new FloatMatrix(rows, width, BlasContractTest.randomArray(random, rows * width));
        ReferenceBlas reference = new ReferenceBlas();
        for (Blas blas : new Blas[] {new VectorBlas(1), reference}) {
            FloatMatrix expected = new FloatMatrix(rows, width);
            dense.multiply(reference, w, expected);
            FloatMatrix actual = new FloatMatrix(rows, width);
            actual.fill(Float.NaN);
            sparse.multiply(blas, w, actual);
            assertClose(actual, expected, "seed " + SEED + ", multiply with " + blas.name());

            FloatMatrix expectedT = new FloatMatrix(cols, width);
            dense.transposeMultiply(reference, d, expectedT);
            FloatMatrix actualT = new FloatMatrix(cols, width);
            actualT.fill(Float.NaN);
            sparse.transposeMultiply(blas, d, actualT);
            assertClose(actualT, expectedT, "seed " + SEED + ", transposeMultiply with " + blas.name());
        }
    }

    /** Zeros skipped or multiplied in: the same bits, with several k-blocks, ragged panels and empty rows. */
    @Test
    void rowInvariantProductOfSparseRowsHasTheBitsOfTheSameRowsDense() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        for (int[] shape : new int[][] {{9, 784, 128}, {9, 600, 10}, {5, 64, 33}, {3, 3, 1}}) {
            int rows = shape[0];
            int cols = shape[1];
            int width = shape[2];
            CsrMatrix sparse = randomCsr(random, rows, cols, 0.2);
            PackedMatrix w = PackedMatrix.of(cols, width, BlasContractTest.randomArray(random, cols * width), 0, width);
            float[] expected = new float[rows * width];
            sparse.toDense().multiplyRowInvariant(new VectorBlas(1), rows, w, expected);
            float[] actual = new float[rows * width];
            java.util.Arrays.fill(actual, Float.NaN);
            sparse.multiplyRowInvariant(new VectorBlas(1), rows, w, actual);
            assertThat(actual).as("seed %d, %dx%d times %dx%d", SEED + 1, rows, cols, cols, width).isEqualTo(expected);
        }
    }

    @Test
    void emptyRowsGiveZeroRows() {
        CsrMatrix sparse = new CsrMatrix(3, 2, new int[] {0, 0, 1, 1}, new int[] {1}, new float[] {2f});
        FloatMatrix w = new FloatMatrix(2, 2, new float[] {1f, 2f, 3f, 4f});
        FloatMatrix out = new FloatMatrix(3, 2);
        sparse.multiply(new VectorBlas(1), w, out);
        // Row 1 holds 2 at column 1, so it is 2 * w[1, :] = (6, 8); rows 0 and 2 are empty.
        assertThat(out.data()).containsExactly(0f, 0f, 6f, 8f, 0f, 0f);
    }

    private static CsrMatrix randomCsr(SplittableRandom random, int rows, int cols, double density) {
        int[] ptr = new int[rows + 1];
        int[] idx = new int[rows * cols];
        float[] val = new float[rows * cols];
        int nnz = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (random.nextDouble() < density) {
                    idx[nnz] = c;
                    val[nnz++] = (float) random.nextDouble(-1, 1);
                }
            }
            ptr[r + 1] = nnz;
        }
        return new CsrMatrix(rows, cols, ptr, java.util.Arrays.copyOf(idx, nnz), java.util.Arrays.copyOf(val, nnz));
    }

    private static void assertClose(FloatMatrix actual, FloatMatrix expected, String label) {
        for (int r = 0; r < expected.rows(); r++) {
            for (int c = 0; c < expected.cols(); c++) {
                assertThat(actual.get(r, c)).as("%s at (%d, %d)", label, r, c).isCloseTo(expected.get(r, c), within(1e-5f));
            }
        }
    }
}
