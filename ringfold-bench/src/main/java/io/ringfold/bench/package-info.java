/**
 * JMH micro-benchmarks. {@link io.ringfold.bench.GemmBenchmark} measures the BLAS implementations of
 * ringfold-tensor on the training shapes; bench/jmh.sh builds the benchmark jar, runs it and turns
 * scores into GFLOP/s for bench/RESULTS.md. Benchmarks are not part of the test run.
 */
package io.ringfold.bench;
