package io.ringfold.serving.metrics;

import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram with fixed upper bounds; thread-safe and lock-free. */
public final class Histogram {

    /** Seconds, from 50 µs to 10 s. */
    public static final double[] LATENCY_BOUNDS = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
            0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
    /** Rows per batch. */
    public static final double[] BATCH_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

    private final double[] bounds;
    private final LongAdder[] buckets;
    private final LongAdder count = new LongAdder();
    private final DoubleAdder sum = new DoubleAdder();

    public Histogram(double[] bounds) {
        this.bounds = bounds.clone();
        this.buckets = new LongAdder[bounds.length];
        for (int i = 0; i < buckets.length; i++) {
            buckets[i] = new LongAdder();
        }
    }

    public void observe(double v) {
        for (int i = 0; i < bounds.length; i++) {
            if (v <= bounds[i]) {
                buckets[i].increment();
                break;
            }
        }
        count.increment();
        sum.add(v);
    }

    public long count() {
        return count.sum();
    }

    /**
     * The counts now. Buckets are read one after another while observations may go on, so under traffic the
     * total can differ from the buckets' sum by the observations made meanwhile; the total is taken from the
     * buckets so that quantiles stay consistent.
     */
    public HistogramSnapshot snapshot() {
        long[] c = new long[bounds.length];
        long n = 0;
        for (int i = 0; i < c.length; i++) {
            c[i] = buckets[i].sum();
            n += c[i];
        }
        long total = count.sum();
        long overflow = Math.max(0, total - n);
        return new HistogramSnapshot(bounds, c, overflow, n + overflow, sum.sum());
    }

    /** Appends the {@code _bucket}, {@code _sum} and {@code _count} lines; {@code labels} is "" or "a=\"b\",". */
    void write(StringBuilder out, String name, String labels) {
        long cumulative = 0;
        for (int i = 0; i < bounds.length; i++) {
            cumulative += buckets[i].sum();
            out.append(name).append("_bucket{").append(labels).append("le=\"").append(format(bounds[i]))
                    .append("\"} ").append(cumulative).append('\n');
        }
        long n = count.sum();
        out.append(name).append("_bucket{").append(labels).append("le=\"+Inf\"} ").append(n).append('\n');
        String l = labels.isEmpty() ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
        out.append(name).append("_sum").append(l).append(' ').append(sum.sum()).append('\n');
        out.append(name).append("_count").append(l).append(' ').append(n).append('\n');
    }

    static String format(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) + ".0" : Double.toString(v);
    }
}
