package io.ringfold.serving.http;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The structured access log of both ports (HTTP lines are {@link AccessRecord}s, gRPC lines come from
 * {@code io.ringfold.serving.grpc.GrpcAccessLog}): one JSON object per line per request, written by a
 * thread of its own. The event loop only offers a record to a bounded queue; when the writer falls behind (a slow disk or pipe)
 * records are dropped and counted ({@link #dropped()}, exported as
 * {@code ringfold_access_log_dropped_total}) rather than blocking requests or growing memory.
 */
public final class AccessLog implements AutoCloseable {

    /** One request's line: captured on a network thread, formatted on the log's thread. */
    public interface Line {
        /** Longest client-chosen string written (path, model, version, request id): lines stay bounded. */
        int MAX_FIELD = 512;

        /** One JSON object, no line break. */
        String toJson();

        /**
         * The fields every protocol's line ends with, in this order: sizes, duration, then model, version and
         * request id when known (cut at {@link #MAX_FIELD}).
         */
        static void writeTail(com.fasterxml.jackson.core.JsonGenerator g, long bytesIn, long bytesOut, long micros,
                              String model, String version, String requestId) throws java.io.IOException {
            g.writeNumberField("bytes_in", bytesIn);
            g.writeNumberField("bytes_out", bytesOut);
            g.writeNumberField("duration_us", micros);
            if (model != null) {
                g.writeStringField("model", cut(model));
            }
            if (version != null) {
                g.writeStringField("version", cut(version));
            }
            if (requestId != null) {
                g.writeStringField("request_id", cut(requestId));
            }
        }

        static String cut(String s) {
            return s.length() <= MAX_FIELD ? s : s.substring(0, MAX_FIELD) + "...";
        }
    }

    private static final System.Logger LOG = System.getLogger(AccessLog.class.getName());
    private static final Line STOP = () -> "";

    private final BlockingQueue<Line> queue;
    private final Writer out;
    private final LongAdder dropped = new LongAdder();
    private final Thread writer;

    /**
     * Starts the writer thread.
     *
     * @param capacity most records waiting to be written; more are dropped
     * @param out      where lines go, flushed after each batch of lines taken from the queue
     */
    public AccessLog(int capacity, Writer out) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.out = out;
        this.writer = new Thread(this::drain, "access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues a record, or counts it as dropped when the queue is full; never blocks. */
    public void log(Line r) {
        if (!queue.offer(r)) {
            dropped.increment();
        }
    }

    /** Records dropped because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }

    private void drain() {
        List<Line> batch = new ArrayList<>();
        boolean writing = true;
        while (true) {
            Line first;
            try {
                first = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            batch.add(first);
            queue.drainTo(batch);
            for (Line r : batch) {
                if (r == STOP) {
                    flush();
                    return;
                }
                if (writing) {
                    writing = write(r.toJson());
                }
            }
            batch.clear();
            if (writing) {
                writing = flush();
            }
        }
    }

    private boolean write(String line) {
        try {
            out.write(line);
            out.write('\n');
            return true;
        } catch (IOException e) {
            // A closed stdout (e.g. a pipe whose reader died) must not take the server down: say so once, stop.
            LOG.log(System.Logger.Level.ERROR, "access log: cannot write (" + e + "); access logging stops", e);
            return false;
        }
    }

    private boolean flush() {
        try {
            out.flush();
            return true;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.ERROR, "access log: cannot flush (" + e + "); access logging stops", e);
            return false;
        }
    }

    /** Writes what is queued (waiting at most 2 s for room for the end marker), then stops the thread. */
    @Override
    public void close() {
        try {
            if (!queue.offer(STOP, 2, TimeUnit.SECONDS)) {
                writer.interrupt();
            }
            writer.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            writer.interrupt();
            Thread.currentThread().interrupt();
        }
    }
}
