package io.ringfold.cli.logging;

import java.util.Locale;

/** How a log record is written: {@code text} for a terminal, {@code json} for a container's log collector. */
public enum LogFormat {
    /** {@code 2026-12-07 14:42:39.123 INFO  InferenceServer - ready: models [iris]}. */
    TEXT,
    /** One object per line: time, level, logger, message, thread, and exception when there is one. */
    JSON;

    /** {@code text} or {@code json}, any case; anything else is refused, naming both. */
    public static LogFormat parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "text" -> TEXT;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("log format: '" + s + "' (expected: text or json)");
        };
    }
}
