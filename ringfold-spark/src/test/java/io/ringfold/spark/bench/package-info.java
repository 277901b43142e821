/**
 * The Spark benchmark of issue 5: time to a target test accuracy on Fashion-MNIST and batch-scoring
 * throughput, for Spark MLlib and (once the estimators exist) Ringfold on the same Spark session.
 * {@link io.ringfold.spark.bench.SparkComparison} is the program; a contender is one
 * {@link io.ringfold.spark.bench.Contender}. Test scope, so Spark (provided) is on the classpath;
 * {@code bench/spark/run.sh} runs it.
 */
package io.ringfold.spark.bench;
