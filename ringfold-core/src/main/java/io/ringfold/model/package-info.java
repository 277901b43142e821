/**
 * Models: dense networks described by an {@link io.ringfold.model.Architecture} (linear, logistic and
 * softmax regression are the case with no hidden layer), their forward pass, and the immutable trained
 * {@link io.ringfold.model.Model} with its provenance.
 */
package io.ringfold.model;
