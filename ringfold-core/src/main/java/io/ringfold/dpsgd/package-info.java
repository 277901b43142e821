/**
 * DP-SGD (Abadi et al. 2016) as Ringfold's trainers run it: Poisson sampling of each step's examples, each
 * example's gradient clipped to an L2 norm (computed per layer from its inputs and output gradients, in
 * {@code io.ringfold.nn.Backpropagation#computeClipped}), and Gaussian noise added once per step to the summed
 * clipped gradients. Every random choice is a function of (seed, step, index), so the exact data-parallel mode
 * stays bit-identical for any worker count. The privacy spent is counted by {@code io.ringfold.privacy}'s
 * accountant; docs/privacy.md, "DP-SGD", describes the flags and the guarantees.
 */
package io.ringfold.dpsgd;
