/**
 * Server metrics in the Prometheus text exposition format (version 0.0.4): counters, gauges and histograms per
 * model and version, written by hand from lock-free counters on the request path (their text is what dashboards
 * and the autoscaler read), followed by the process, JVM and build metrics of {@link io.ringfold.telemetry}.
 */
package io.ringfold.serving.metrics;
