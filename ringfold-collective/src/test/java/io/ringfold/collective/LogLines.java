package io.ringfold.collective;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * The messages one class logs (through {@link System.Logger}, which goes to java.util.logging), kept
 * while open, for a test to wait for and inspect.
 */
final class LogLines extends Handler implements AutoCloseable {

    private final Logger logger; // a strong reference: java.util.logging holds its loggers weakly
    private final SimpleFormatter formatter = new SimpleFormatter();
    private final List<String> lines = new ArrayList<>();

    LogLines(Class<?> source) {
        this.logger = Logger.getLogger(source.getName());
        setLevel(Level.ALL);
        logger.addHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        String line = formatter.formatMessage(record);
        synchronized (lines) {
            lines.add(line);
            lines.notifyAll();
        }
    }

    /** The first line containing {@code text}; fails naming it if none comes within {@code timeout}. */
    String await(String text, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (true) {
                for (String line : lines) {
                    if (line.contains(text)) {
                        return line;
                    }
                }
                long left = until - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no log line containing '" + text + "' within " + timeout.toMillis()
                            + " ms; logged: " + lines);
                }
                lines.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
