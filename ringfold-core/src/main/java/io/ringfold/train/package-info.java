/**
 * Training: validated hyperparameters ({@link io.ringfold.train.TrainingConfig}), the single-process
 * mini-batch {@link io.ringfold.train.Trainer}, per-epoch metrics and progress callbacks. Later layers
 * (data-parallel, Spark) reuse the same forward/backward code and configuration.
 */
package io.ringfold.train;
