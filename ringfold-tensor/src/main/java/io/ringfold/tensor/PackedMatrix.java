package io.ringfold.tensor;

/**
 * A k×n matrix packed once for {@link Blas#sgemmRowInvariant}: the weights of a dense layer, which
 * every prediction multiplies by. The columns are cut into micro-panels as wide as the Java micro-kernel
 * ({@code 2 × SPECIES_PREFERRED} lanes), the last one zero-padded, and each panel is stored row after
 * row, so a product streams through contiguous memory and never repacks. Immutable: it holds its own
 * copy.
 */
public final class PackedMatrix {

    private final int rows;
    private final int cols;
    /** Panel q (columns [q·NR, q·NR + NR)) at {@code q·rows·NR}; within it, element (p, j) at {@code p·NR + j}. */
    final float[] panels;

    private PackedMatrix(int rows, int cols, float[] panels) {
        this.rows = rows;
        this.cols = cols;
        this.panels = panels;
    }

    /** Packs the {@code rows × cols} matrix stored row-major in {@code b} from {@code off} with row stride {@code ld}. */
    public static PackedMatrix of(int rows, int cols, float[] b, int off, int ld) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("shape: " + rows + "x" + cols + " (expected: non-negative)");
        }
        BlasArguments.checkStored("packed matrix", b, off, ld, rows, cols);
        int nr = VectorGemm.NR;
        int panelCount = (cols + nr - 1) / nr;
        long size = (long) panelCount * rows * nr;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("packed matrix: " + rows + "x" + cols + " needs " + size
                    + " floats (expected: at most " + (Integer.MAX_VALUE - 8) + ")");
        }
        float[] panels = new float[(int) size];
        for (int q = 0; q < panelCount; q++) {
            int width = Math.min(nr, cols - q * nr);
            int base = q * rows * nr;
            for (int p = 0; p < rows; p++) {
                System.arraycopy(b, off + p * ld + q * nr, panels, base + p * nr, width);
            }
        }
        return new PackedMatrix(rows, cols, panels);
    }

    /** k, the depth of a product with this matrix. */
    public int rows() {
        return rows;
    }

    /** n, the width of a product with this matrix. */
    public int cols() {
        return cols;
    }

    /** Element (p, j); for tests and the reference implementation, not hot loops. */
    public float get(int p, int j) {
        if (p < 0 || p >= rows || j < 0 || j >= cols) {
            throw new IndexOutOfBoundsException("(" + p + ", " + j + ") (expected: within " + rows + "x" + cols + ")");
        }
        int nr = VectorGemm.NR;
        return panels[j / nr * rows * nr + p * nr + j % nr];
    }
}
