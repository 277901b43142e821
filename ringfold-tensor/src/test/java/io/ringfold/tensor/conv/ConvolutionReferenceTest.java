package io.ringfold.tensor.conv;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.ReferenceBlas;

class ConvolutionReferenceTest extends ConvolutionContractTest {

    private static final Blas BLAS = new ReferenceBlas();

    @Override
    Blas blas() {
        return BLAS;
    }
}
