/**
 * Privacy accounting for differentially private training: the Rényi DP of the Poisson-subsampled Gaussian
 * mechanism that DP-SGD runs each step, composed over steps and converted to (ε, δ). It lives in the core,
 * apart from training, so that the trainer, the {@code privacy} command and the model's provenance all
 * report the same ε from the same code.
 */
package io.ringfold.privacy;
