package io.ringfold.tensor.conv;

import io.ringfold.tensor.Blas;
import io.ringfold.tensor.VectorBlas;

/** Three threads on two cores on purpose: LeNet's second convolution splits each product between them. */
class ConvolutionJavaThreadsTest extends ConvolutionContractTest {

    private static final Blas BLAS = new VectorBlas(3);

    @Override
    Blas blas() {
        return BLAS;
    }
}
