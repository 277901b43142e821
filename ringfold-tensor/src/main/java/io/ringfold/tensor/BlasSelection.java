package io.ringfold.tensor;

import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Picks the BLAS once per JVM. {@code -Dringfold.blas=auto|java|native|reference} (or the environment
 * variable {@code RINGFOLD_BLAS}; the property wins) overrides the default {@code auto}, which takes
 * native OpenBLAS when it loads and the pure-Java {@link VectorBlas} otherwise. {@code native} fails
 * with the reason when OpenBLAS cannot be loaded, rather than silently running slower.
 * {@code -Dringfold.blas.threads=N} sets the thread count (default: available processors). The choice
 * is logged once and its {@link Blas#name()} goes into model provenance.
 */
public final class BlasSelection {

    public static final String PROPERTY = "ringfold.blas";
    public static final String ENVIRONMENT = "RINGFOLD_BLAS";
    public static final String THREADS_PROPERTY = "ringfold.blas.threads";

    private static final System.Logger LOG = System.getLogger(BlasSelection.class.getName());

    private BlasSelection() {
    }

    private static final class Holder {
        static final Blas SELECTED = chooseAndLog();
    }

    public static Blas selected() {
        return Holder.SELECTED;
    }

    /**
     * A new BLAS of the requested kind (property or environment, as for {@link #selected()}) with
     * {@code threads} threads: data-parallel workers take one thread each, so that every worker's
     * kernels are the same whatever the worker count. For OpenBLAS the thread count is process-wide.
     */
    public static Blas createRequested(int threads) {
        return create(requestedMode(), threads);
    }

    /** The requested mode: the system property, else the environment variable, else "auto". */
    static String requestedMode() {
        String mode = System.getProperty(PROPERTY);
        if (mode == null) {
            mode = System.getenv(ENVIRONMENT);
        }
        return mode == null || mode.isBlank() ? "auto" : mode.trim().toLowerCase(Locale.ROOT);
    }

    /** {@code -Dringfold.blas.threads}, else the number of available processors. */
    public static int configuredThreads() {
        String value = System.getProperty(THREADS_PROPERTY);
        if (value == null) {
            return Runtime.getRuntime().availableProcessors();
        }
        int threads;
        try {
            threads = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + THREADS_PROPERTY + ": " + value + " (expected: an integer >= 1)", e);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("-D" + THREADS_PROPERTY + ": " + value + " (expected: >= 1)");
        }
        return threads;
    }

    /**
     * The BLAS for a mode (auto, java, native, reference) with {@code threads} threads.
     *
     * @throws IllegalArgumentException for an unknown mode
     * @throws IllegalStateException when native is requested and cannot load, naming what is missing
     */
    public static Blas create(String mode, int threads) {
        switch (mode) {
            case "auto":
                return NativeBlas.isAvailable() ? NativeBlas.create(threads) : new VectorBlas(threads);
            case "java":
                return new VectorBlas(threads);
            case "native":
                if (!NativeBlas.isAvailable()) {
                    throw new IllegalStateException("-D" + PROPERTY + "=native (or " + ENVIRONMENT
                            + "=native) requested, but native BLAS cannot load: " + NativeBlas.unavailableReason());
                }
                return NativeBlas.create(threads);
            case "reference":
                return new ReferenceBlas();
            default:
                throw new IllegalArgumentException(PROPERTY + ": " + mode + " (expected: auto, java, native or reference)");
        }
    }

    private static Blas chooseAndLog() {
        String mode = requestedMode();
        Blas blas = create(mode, configuredThreads());
        if (blas instanceof NativeBlas) {
            LOG.log(Level.INFO, "BLAS: {0} (requested {1}; {2})", blas.name(), mode, NativeBlas.loadDetails());
        } else if (mode.equals("auto")) {
            LOG.log(Level.INFO, "BLAS: {0} (requested auto; native not used: {1})", blas.name(),
                    NativeBlas.unavailableReason());
        } else {
            LOG.log(Level.INFO, "BLAS: {0} (requested {1})", blas.name(), mode);
        }
        return blas;
    }
}
