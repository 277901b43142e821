/**
 * The kernels of convolutional networks, for the layers of ringfold-core: 2-D convolution as im2col and
 * matrix products on a {@link io.ringfold.tensor.Blas} ({@link io.ringfold.tensor.conv.Convolution} for
 * training, {@link io.ringfold.tensor.conv.InvariantConvolution} for batch-invariant predictions), and max,
 * average and global average pooling. Every kernel works on a batch of examples stored back to back
 * ({@code [rows, channels, height, width]}, each row-major), overwrites its outputs, sums gradients over the
 * rows in a fixed order, and allocates nothing per call; docs/blas.md ("Convolution") says why each is
 * built as it is.
 */
package io.ringfold.tensor.conv;
