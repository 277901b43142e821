package io.ringfold.spark;

/**
 * Rows a barrier task assembles its owned shards from, by index: its own input partition, another task's
 * partition in the same JVM ({@link PartitionBlock}), or the rows another task sent over the ring.
 */
interface RowSource {

    float label(int i);

    /** Row {@code i} as {@code width} dense values into {@code dst[at, at + width)}. */
    void copyDense(int i, float[] dst, int at, int width);

    /** Stored entries of sparse row {@code i}. */
    int length(int i);

    /** Sparse row {@code i}'s column indices and values into {@code col} and {@code val} from {@code at}. */
    void copySparse(int i, int[] col, float[] val, int at);
}
