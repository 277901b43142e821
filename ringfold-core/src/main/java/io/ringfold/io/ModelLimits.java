package io.ringfold.io;

/**
 * How much one model file may make its loader allocate. Each limit is checked against what the file
 * declares before anything of that size is allocated, so a small file that declares a huge model is
 * refused with a message naming the file, the value and the limit instead of ending in an
 * {@link OutOfMemoryError} (which, under {@code -XX:+ExitOnOutOfMemoryError}, kills the server and, at
 * every restart, kills it again). {@link ModelFile#read(java.nio.file.Path, ModelLimits)} enforces the
 * file, header and tensor limits and the heap check; the model codec ({@code io.ringfold.model.ModelCodec})
 * enforces the column and class limits. Parameters are bounded by the file: every declared size must
 * match tensors the file really holds.
 *
 * @param maxFileBytes   largest model file in bytes (the tensors' data is read into the heap)
 * @param maxHeaderBytes largest JSON header in bytes; its parsed tree takes up to {@value #HEADER_TREE_FACTOR}
 *                       times as many bytes
 * @param maxTensors     most tensors in one file (each costs a few objects beyond its data)
 * @param maxColumns     most input columns, and most columns after one-hot encoding, of the model's
 *                       preprocessing
 * @param maxClasses     most classes of a classifier (each is a name string)
 * @param checkFreeHeap  whether a file whose estimated loading need ({@link #estimatedHeapBytes}) exceeds the
 *                       free heap is refused rather than tried
 */
public record ModelLimits(long maxFileBytes, int maxHeaderBytes, int maxTensors, int maxColumns, int maxClasses,
                          boolean checkFreeHeap) {

    /** The format's own limits and no heap check: what {@link ModelFile#read(java.nio.file.Path)} applies. */
    public static final ModelLimits FORMAT = new ModelLimits(Long.MAX_VALUE, Layout.MAX_HEADER_BYTES, Integer.MAX_VALUE,
            Integer.MAX_VALUE, Integer.MAX_VALUE, false);

    /**
     * Bytes of heap per header byte at the loader's peak, measured with Jackson 2.21 on the worst JSON
     * for it (an array of empty objects, 28 bytes of tree per byte): two parsed trees are alive at once
     * (the reader's and the copy the model codec reads).
     */
    public static final int HEADER_TREE_FACTOR = 64;

    /**
     * Copies of the parameters alive at the loader's peak: the tensors read from the file, the model's
     * flat parameter vector being filled from them, the model's own copy of that vector, and its weights
     * packed for the prediction path.
     */
    public static final int PARAMETER_COPIES = 4;

    public static final long DEFAULT_MAX_FILE_BYTES = 512L << 20;
    public static final int DEFAULT_MAX_HEADER_BYTES = 4 << 20;
    public static final int DEFAULT_MAX_TENSORS = 4096;
    public static final int DEFAULT_MAX_COLUMNS = 1 << 20;
    public static final int DEFAULT_MAX_CLASSES = 1 << 16;

    public ModelLimits {
        positive(maxFileBytes, "maxFileBytes");
        positive(maxHeaderBytes, "maxHeaderBytes");
        positive(maxTensors, "maxTensors");
        positive(maxColumns, "maxColumns");
        positive(maxClasses, "maxClasses");
        if (maxHeaderBytes > Layout.MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("maxHeaderBytes: " + maxHeaderBytes + " (expected: at most "
                    + Layout.MAX_HEADER_BYTES + ", the format's limit)");
        }
    }

    /**
     * What a server applies to its repository: files up to 512 MiB (128 million float32 parameters),
     * headers up to 4 MiB, 4,096 tensors, 1,048,576 columns, 65,536 classes, and the heap check.
     */
    public static ModelLimits defaults() {
        return new ModelLimits(DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_TENSORS, DEFAULT_MAX_COLUMNS,
                DEFAULT_MAX_CLASSES, true);
    }

    public ModelLimits withMaxFileBytes(long n) {
        return new ModelLimits(n, maxHeaderBytes, maxTensors, maxColumns, maxClasses, checkFreeHeap);
    }

    public ModelLimits withMaxHeaderBytes(int n) {
        return new ModelLimits(maxFileBytes, n, maxTensors, maxColumns, maxClasses, checkFreeHeap);
    }

    public ModelLimits withMaxTensors(int n) {
        return new ModelLimits(maxFileBytes, maxHeaderBytes, n, maxColumns, maxClasses, checkFreeHeap);
    }

    public ModelLimits withMaxColumns(int n) {
        return new ModelLimits(maxFileBytes, maxHeaderBytes, maxTensors, n, maxClasses, checkFreeHeap);
    }

    public ModelLimits withMaxClasses(int n) {
        return new ModelLimits(maxFileBytes, maxHeaderBytes, maxTensors, maxColumns, n, checkFreeHeap);
    }

    public ModelLimits withCheckFreeHeap(boolean on) {
        return new ModelLimits(maxFileBytes, maxHeaderBytes, maxTensors, maxColumns, maxClasses, on);
    }

    /**
     * The heap a load needs at its peak, an upper estimate: {@value #PARAMETER_COPIES} copies of the tensor
     * data plus {@value #HEADER_TREE_FACTOR} bytes per header byte.
     */
    public static long estimatedHeapBytes(long tensorBytes, long headerBytes) {
        return PARAMETER_COPIES * tensorBytes + HEADER_TREE_FACTOR * headerBytes;
    }

    private static void positive(long value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
    }
}
