package io.ringfold.tensor;

/**
 * Picks the BLAS once per JVM. {@code -Dringfold.blas=java|native|auto} (or the environment variable
 * {@code RINGFOLD_BLAS}) overrides the default {@code auto}, which prefers native OpenBLAS when it
 * loads and the pure-Java path otherwise. The choice is logged and recorded in model provenance.
 */
public final class BlasSelection {

    private BlasSelection() {
    }

    private static final class Holder {
        static final Blas SELECTED = choose();
    }

    public static Blas selected() {
        return Holder.SELECTED;
    }

    private static Blas choose() {
        // Placeholder until the Vector API and OpenBLAS implementations land.
        return new ReferenceBlas();
    }
}
