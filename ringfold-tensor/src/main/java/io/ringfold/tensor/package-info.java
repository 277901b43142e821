/**
 * The numeric core: float32 dense ({@link io.ringfold.tensor.FloatMatrix}) and CSR sparse
 * ({@link io.ringfold.tensor.CsrMatrix}) matrices, the {@link io.ringfold.tensor.Blas} kernels behind
 * them (pure Java with the Vector API, or native OpenBLAS), and element-wise kernels. It knows nothing
 * of models, files or networks, so every higher layer can build on it.
 */
package io.ringfold.tensor;
