/**
 * Training: validated hyperparameters ({@link io.ringfold.train.TrainingConfig}), the single-process
 * mini-batch {@link io.ringfold.train.Trainer}, one complete run ({@link io.ringfold.train.TrainingRun}) and
 * k-fold {@link io.ringfold.train.CrossValidation} of it, per-epoch metrics and progress callbacks, and a
 * preprocessing fitted on the run's training rows and stored for later runs
 * ({@link io.ringfold.train.StoredPreprocessing}). Later layers
 * (data-parallel, Spark) reuse the same forward/backward code and configuration.
 */
package io.ringfold.train;
