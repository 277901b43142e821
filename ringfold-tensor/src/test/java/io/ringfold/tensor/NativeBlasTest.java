package io.ringfold.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OpenBLAS through the JNI shim. Skipped where the shim or OpenBLAS is absent, except under CI=true:
 * CI installs gcc and libopenblas0, so there a missing native path is a regression, not a skip.
 */
class NativeBlasTest extends BlasContractTest {

    private static Blas blas;

    @BeforeAll
    static void loadOpenBlas() {
        blas = NativeBlasForTests.createOrSkip(2);
    }

    @Override
    Blas blas() {
        return blas;
    }

    @Test
    void nameReportsVersionCoreAndThreads() {
        assertThat(blas.name()).matches("openblas \\S+ \\(core \\S+, 2 threads\\)");
    }
}
