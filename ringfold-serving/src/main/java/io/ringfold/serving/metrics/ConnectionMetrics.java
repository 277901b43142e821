package io.ringfold.serving.metrics;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One port's connections: how many are open, how many were refused at the limit, and how many the server
 * closed because a deadline passed ({@code idle}, {@code request}, {@code handshake}) or a shared budget was
 * spent ({@code buffered_bytes}). Exported as {@code ringfold_connections}, {@code
 * ringfold_connections_refused_total} and {@code ringfold_connections_closed_total}.
 */
public final class ConnectionMetrics {

    /** Why the server closed a connection before its client did. */
    public enum Closure {
        IDLE("idle"), REQUEST_TIMEOUT("request"), HANDSHAKE_TIMEOUT("handshake"), BUFFERED_BYTES("buffered_bytes");

        private final String label;

        Closure(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final String protocol;
    private final AtomicInteger open = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    private final LongAdder[] closed = new LongAdder[Closure.values().length];

    ConnectionMetrics(String protocol) {
        this.protocol = protocol;
        for (int i = 0; i < closed.length; i++) {
            closed[i] = new LongAdder();
        }
    }

    /** Counts a connection in unless {@code max} are open already; false means refuse it (counted). */
    public boolean tryOpen(int max) {
        while (true) {
            int n = open.get();
            if (n >= max) {
                refused.increment();
                return false;
            }
            if (open.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** A connection counted by {@link #tryOpen} has closed. */
    public void closed() {
        open.decrementAndGet();
    }

    public void closedBy(Closure why) {
        closed[why.ordinal()].increment();
    }

    public int open() {
        return open.get();
    }

    public long refused() {
        return refused.sum();
    }

    public long closedCount(Closure why) {
        return closed[why.ordinal()].sum();
    }

    void write(StringBuilder gauge, StringBuilder refusedOut, StringBuilder closedOut) {
        String l = "{protocol=\"" + protocol + "\"";
        gauge.append("ringfold_connections").append(l).append("} ").append(open.get()).append('\n');
        refusedOut.append("ringfold_connections_refused_total").append(l).append("} ").append(refused.sum()).append('\n');
        for (Closure c : Closure.values()) {
            closedOut.append("ringfold_connections_closed_total").append(l).append(",reason=\"").append(c.label())
                    .append("\"} ").append(closed[c.ordinal()].sum()).append('\n');
        }
    }
}
