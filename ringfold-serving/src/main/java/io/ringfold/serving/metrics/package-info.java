/**
 * Server metrics in the Prometheus text exposition format (version 0.0.4): counters and histograms per
 * model and version, plus JVM memory and garbage collection. Written by hand because the server needs
 * only these two metric types and one output format.
 */
package io.ringfold.serving.metrics;
