package io.ringfold.tensor;

/**
 * Packing buffers of one thread for {@link VectorGemm}: the ragged last MR-row tile of op(A), a block
 * of op(B) cut into NR-column micro-panels, and one MR×NR tile for the ragged edges of C.
 * Sized once for the largest block, so steady-state GEMM allocates nothing.
 */
final class GemmWorkspace {

    private static final ThreadLocal<GemmWorkspace> PER_THREAD = ThreadLocal.withInitial(GemmWorkspace::new);

    final float[] packedA = new float[VectorGemm.MR * VectorGemm.KC];
    final float[] packedB = new float[VectorGemm.KC * VectorGemm.NC];
    final float[] edgeTile = new float[VectorGemm.MR * VectorGemm.NR];

    private GemmWorkspace() {
    }

    /** The calling thread's workspace; pool threads and callers each get their own. */
    static GemmWorkspace current() {
        return PER_THREAD.get();
    }
}
