package io.ringfold.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.jul.LevelChangePropagator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Sets up the process's logging: one appender on stderr in the chosen {@link LogFormat}, INFO for Ringfold, WARN for
 * the libraries, and {@code java.util.logging} routed to SLF4J ({@link System.Logger} reaches SLF4J through
 * slf4j-jdk-platform-logging's LoggerFinder, with no set-up).
 */
public final class Logging {

    /** Libraries whose INFO records (pool started, schema migrated, channel opened) are noise to a user. */
    static final List<String> QUIET_LIBRARIES = List.of("io.netty", "io.grpc", "com.zaxxer.hikari", "org.flywaydb",
            "h2database", "org.h2", "org.apache.spark", "org.sparkproject", "org.apache.hadoop", "org.eclipse.jetty",
            "io.fabric8", "okhttp3", "org.postgresql");

    /** The text format's pattern: time, level, the logger's class name (the JSON form has the full name), the message. */
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level %logger{0} - %msg%n";

    private Logging() {
    }

    /** Writes every record from now on in {@code format}; may be called again to change it. */
    public static synchronized void configure(LogFormat format) {
        configure((LoggerContext) LoggerFactory.getILoggerFactory(), format);
    }

    static void configure(LoggerContext context, LogFormat format) {
        context.reset();
        // JUL's levels follow Logback's, so that a record below them is dropped before it is bridged (cheaply).
        LevelChangePropagator propagator = new LevelChangePropagator();
        propagator.setContext(context);
        propagator.setResetJUL(true);
        propagator.start();
        context.addListener(propagator);

        Layout<ILoggingEvent> layout;
        if (format == LogFormat.JSON) {
            layout = new JsonLogLayout();
        } else {
            PatternLayout pattern = new PatternLayout();
            pattern.setPattern(TEXT_PATTERN);
            layout = pattern;
        }
        layout.setContext(context);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("stderr");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();

        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);
        root.addAppender(stderr);
        for (String library : QUIET_LIBRARIES) {
            context.getLogger(library).setLevel(Level.WARN);
        }
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger(); // JUL's console handler: its two-line records
            SLF4JBridgeHandler.install();
        }
    }
}
