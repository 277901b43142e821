package io.ringfold.tensor.conv;

/** Bounds checks of the kernels' array arguments, out of the hot methods, with messages that name the operand. */
final class ConvArguments {

    private ConvArguments() {
    }

    static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    static void checkRows(int rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("rows: " + rows + " (expected: >= 0)");
        }
    }

    static void checkRows(String what, int rows, int maxRows) {
        if (rows < 0 || rows > maxRows) {
            throw new IllegalArgumentException(what + ": rows: " + rows + " (expected: 0 to maxRows " + maxRows + ")");
        }
    }

    /** A backward pass differentiates the last forward pass: it needs one, of the same rows. */
    static void checkForwardRows(int rows, int forwardRows) {
        if (rows != forwardRows) {
            throw new IllegalStateException("backward: " + rows + " rows, but the last forward pass had "
                    + (forwardRows < 0 ? "none" : forwardRows + " rows")
                    + " (expected: backward after a forward pass of the same rows)");
        }
    }

    /** {@code rows} items of {@code size} elements from {@code off} must lie inside {@code a}. */
    static void check(String name, float[] a, int off, int rows, int size) {
        within(name, a == null ? -1 : a.length, off, rows, size);
    }

    /** As {@link #check(String, float[], int, int, int)}, for index arrays. */
    static void check(String name, int[] a, int off, int rows, int size) {
        within(name, a == null ? -1 : a.length, off, rows, size);
    }

    private static void within(String name, int length, int off, int rows, int size) {
        if (length < 0 || off < 0 || off + (long) rows * size > length) {
            throw new IllegalArgumentException(name + ": " + rows + " x " + size + " elements from offset " + off
                    + " (expected: within an array of " + (length < 0 ? "null" : length + " elements") + ")");
        }
    }
}
