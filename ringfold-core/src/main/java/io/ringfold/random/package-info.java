/**
 * Seeded random number generation with a stream fixed by Ringfold itself (SplitMix64), so that every
 * random choice (initial weights, shuffles, splits) is reproducible from the seed saved with a model.
 */
package io.ringfold.random;
