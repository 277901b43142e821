package io.ringfold.tensor;

class VectorBlasSingleThreadTest extends BlasContractTest {

    private final Blas blas = new VectorBlas(1);

    @Override
    Blas blas() {
        return blas;
    }
}
