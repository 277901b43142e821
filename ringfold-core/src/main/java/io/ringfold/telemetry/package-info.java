/**
 * What every long-running Ringfold process exports besides its own metrics: the process ({@code process_*}), the
 * JVM ({@code jvm_*}: memory, buffer pools, garbage collection, threads, classes, JIT) and the build
 * ({@code ringfold_build_info}), collected by Prometheus' client_java and written in the Prometheus text format.
 */
package io.ringfold.telemetry;
