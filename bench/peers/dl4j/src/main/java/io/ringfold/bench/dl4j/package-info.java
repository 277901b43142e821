/**
 * The Deeplearning4j peer of Ringfold's CNN benchmark: the LeNet-style network of issue 17 trained on
 * Fashion-MNIST by DL4J's CPU backend, timed per epoch, with one JSON line as the Python peers print.
 * It reads the IDX files itself and standardises them as the other peers do, so that only DL4J's
 * training is timed and every program sees the same inputs.
 */
package io.ringfold.bench.dl4j;
