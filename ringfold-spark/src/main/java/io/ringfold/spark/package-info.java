/**
 * Ringfold on Apache Spark: Spark ML estimators whose {@code fit} runs one barrier stage in which every
 * task holds its rows' shards, rendezvouses through {@code BarrierTaskContext.allGather}, forms a TCP
 * ring and trains with the data-parallel trainer; and {@link io.ringfold.spark.RingfoldMasker}, which masks
 * sensitive raw columns at a pipeline's head as {@code ringfold train --mask} does.
 */
package io.ringfold.spark;
