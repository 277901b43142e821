package io.ringfold.telemetry;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.ringfold.model.Provenance;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

/**
 * A registry of the process, JVM and build metrics, and its text form ({@link #scrape}). A process makes one and
 * adds its own metrics to {@link #registry()} or writes them beside {@link #scrape()}.
 *
 * <p>Garbage collection is exported as the server always has, {@code jvm_gc_collections_total} and {@code
 * jvm_gc_collection_seconds_total} by {@code gc}, rather than client_java's {@code jvm_gc_collection_seconds}
 * summary: dashboards read these names, and the two cannot live in one registry (one name, two types).
 */
public final class RuntimeMetrics {

    /** The Prometheus text format's content type, version 0.0.4. */
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.builder()
            .setIncludeCreatedTimestamps(false).build();

    public RuntimeMetrics() {
        JvmMemoryMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmThreadsMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
        CounterWithCallback.builder().name("jvm_gc_collections_total").help("Garbage collections by collector.")
                .labelNames("gc").callback(c -> {
                    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                        c.call(Math.max(0, gc.getCollectionCount()), gc.getName());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("jvm_gc_collection_seconds_total")
                .help("Time spent in garbage collection by collector.").labelNames("gc").callback(c -> {
                    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                        c.call(Math.max(0, gc.getCollectionTime()) / 1000.0, gc.getName());
                    }
                }).register(registry);
        Info.builder().name("ringfold_build_info").help("The Ringfold build running: its version and commit.")
                .labelNames("version", "revision").register(registry)
                .setLabelValues(Provenance.libraryVersion(), Provenance.libraryRevision());
    }

    /** Where a process registers metrics of its own, to be written with these by {@link #scrape()}. */
    public PrometheusRegistry registry() {
        return registry;
    }

    /** Every metric of {@link #registry()} in the Prometheus text format 0.0.4, families in name order. */
    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16384);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException("writing metrics to memory", e); // a ByteArrayOutputStream does not throw
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
