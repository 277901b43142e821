package io.ringfold.tensor;

/** Three threads on two cores on purpose: uneven parts, and more parts than cores. */
class VectorBlasMultiThreadTest extends BlasContractTest {

    private static final Blas BLAS = new VectorBlas(3);

    @Override
    Blas blas() {
        return BLAS;
    }
}
