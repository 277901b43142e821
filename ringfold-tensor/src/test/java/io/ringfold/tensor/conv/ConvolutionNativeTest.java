package io.ringfold.tensor.conv;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.NativeBlasForTests;
import org.junit.jupiter.api.BeforeAll;

/** On OpenBLAS; skipped where it cannot load, except under CI=true, which installs it (as NativeBlasTest). */
class ConvolutionNativeTest extends ConvolutionContractTest {

    private static Blas blas;

    @BeforeAll
    static void loadOpenBlas() {
        blas = NativeBlasForTests.createOrSkip(2);
    }

    @Override
    Blas blas() {
        return blas;
    }
}
