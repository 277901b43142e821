package io.ringfold.tensor.conv;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.VectorBlas;

class ConvolutionJavaTest extends ConvolutionContractTest {

    private static final Blas BLAS = new VectorBlas(1);

    @Override
    Blas blas() {
        return BLAS;
    }
}
