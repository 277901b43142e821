/**
 * The numeric core: float32 dense ({@link io.ringfold.tensor.FloatMatrix}) and CSR sparse
 * ({@link io.ringfold.tensor.CsrMatrix}) matrices, the {@link io.ringfold.tensor.Blas} kernels behind
 * them and element-wise {@link io.ringfold.tensor.Kernels}. Three BLAS implementations live here: native
 * OpenBLAS through a JNI shim ({@link io.ringfold.tensor.NativeBlas}), pure Java on the Vector API
 * ({@link io.ringfold.tensor.VectorBlas}) and a slow oracle for tests
 * ({@link io.ringfold.tensor.ReferenceBlas}); {@link io.ringfold.tensor.BlasSelection} picks one per JVM
 * (docs/blas.md says which and why). It knows nothing of models, files or networks, so every higher
 * layer can build on it.
 */
package io.ringfold.tensor;
