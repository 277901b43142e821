package io.ringfold.tensor.conv;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.NativeBlas;
import org.junit.jupiter.api.BeforeAll;

/** On OpenBLAS; skipped where it cannot load, except under CI=true, which installs it (as NativeBlasTest). */
class ConvolutionNativeTest extends ConvolutionContractTest {

    private static Blas blas;

    @BeforeAll
    static void loadOpenBlas() {
        if (!NativeBlas.isAvailable()) {
            String reason = "native BLAS unavailable: " + NativeBlas.unavailableReason();
            if ("true".equals(System.getenv("CI"))) {
                fail(reason + " (CI=true: CI provides gcc and libopenblas0, so this must load)");
            }
            assumeTrue(false, reason);
        }
        blas = NativeBlas.create(2);
    }

    @Override
    Blas blas() {
        return blas;
    }
}
