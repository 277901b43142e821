/**
 * The command line's logging: every record, whether logged through {@link java.lang.System.Logger} (the project's
 * own code), {@code java.util.logging} (gRPC) or SLF4J (Netty, HikariCP, Flyway), goes through SLF4J to Logback and
 * is written to stderr as one line, plain text for people or one JSON object for log collectors
 * ({@code --log-format}). Libraries log at WARN and above only.
 */
package io.ringfold.cli.logging;
