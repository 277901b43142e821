/**
 * Optimizers (SGD, momentum, Adam) and learning-rate schedules. Optimizers own their state and work on
 * the model's flat parameter vector, so the same code serves single-process and data-parallel training.
 */
package io.ringfold.optim;
