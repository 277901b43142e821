package io.ringfold.data;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;

/**
 * How one sensitive column is masked before anything else sees its cells ({@link ColumnMasks} holds a data set's
 * masks). The transformation runs on the raw cell, in the reader at training and in the preprocessor at
 * prediction, so the raw value reaches neither the data set nor the model:
 *
 * <ul>
 *   <li>{@code drop}: the column is not read at all; it is no input of the model.</li>
 *   <li>{@code redact}: every present value becomes the category {@value #REDACTED}; only whether a value was
 *       given is kept (a missing cell stays missing).</li>
 *   <li>{@code hmac}: the value becomes a keyed pseudonym, a category: 32 hex digits of HMAC-SHA256 under the
 *       {@link MaskKey}, of the column's name and the value, so equal values in one column get equal pseudonyms
 *       and the same value in two columns gets two.</li>
 *   <li>{@code bucket(W)}: a number becomes the lower bound of its bucket of width W, {@code floor(x / W) * W}
 *       (in double, then rounded to float); it stays a number.</li>
 *   <li>{@code date(year|month|day)}: an ISO date ({@code 2024-03-17}, or a date-time starting with one) becomes
 *       its year ({@code 2024}), month ({@code 2024-03}) or day, a category.</li>
 * </ul>
 * A cell that the transformation cannot read is an error that names the column and never the value.
 */
public sealed interface ColumnMask {

    /** The category every present value of a {@code redact} column becomes. */
    String REDACTED = "<redacted>";

    /** The accepted forms, for messages and help. */
    String FORMS = "drop, redact, hmac, bucket(W) or date(year|month|day)";

    /** What a masked column holds afterwards. */
    enum Output {
        /** Nothing: the column is gone. */
        NONE,
        /** Categories (pseudonyms, truncated dates, the redaction marker). */
        CATEGORY,
        /** Numbers. */
        NUMBER
    }

    Output output();

    /** As written in a mask spec: {@code hmac}, {@code bucket(10)}, {@code date(month)}. */
    String id();

    /** The mask {@code text} spells. */
    static ColumnMask parse(String text) {
        String t = text.strip();
        int open = t.indexOf('(');
        String name = open < 0 ? t : t.substring(0, open);
        String arg = null;
        if (open >= 0) {
            if (!t.endsWith(")")) {
                throw new IllegalArgumentException("'" + t + "' (expected: " + FORMS + ")");
            }
            arg = t.substring(open + 1, t.length() - 1).strip();
        }
        ColumnMask m = switch (name) {
            case "drop" -> arg == null ? new Drop() : null;
            case "redact" -> arg == null ? new Redact() : null;
            case "hmac" -> arg == null ? new Hmac() : null;
            case "bucket" -> arg == null ? null : Bucket.parse(arg);
            case "date" -> arg == null ? null : DateTruncation.parse(arg);
            default -> null;
        };
        if (m == null) {
            throw new IllegalArgumentException("'" + t + "' (expected: " + FORMS + ")");
        }
        return m;
    }

    /** The column is not read. */
    record Drop() implements ColumnMask {
        @Override
        public Output output() {
            return Output.NONE;
        }

        @Override
        public String id() {
            return "drop";
        }
    }

    /** Present values become {@value ColumnMask#REDACTED}. */
    record Redact() implements ColumnMask {
        @Override
        public Output output() {
            return Output.CATEGORY;
        }

        @Override
        public String id() {
            return "redact";
        }
    }

    /** Keyed pseudonyms. */
    record Hmac() implements ColumnMask {
        @Override
        public Output output() {
            return Output.CATEGORY;
        }

        @Override
        public String id() {
            return "hmac";
        }
    }

    /** Numbers to the lower bound of their bucket of width {@code width}. */
    record Bucket(BigDecimal width) implements ColumnMask {
        public Bucket {
            if (width.signum() <= 0 || !Double.isFinite(width.doubleValue()) || width.doubleValue() == 0) {
                throw new IllegalArgumentException("bucket width " + width.toPlainString()
                        + " (expected: a finite number > 0)");
            }
            width = width.stripTrailingZeros();
        }

        static Bucket parse(String arg) {
            try {
                return new Bucket(new BigDecimal(arg));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bucket width '" + arg + "' (expected: a number > 0, e.g. bucket(10))");
            }
        }

        /** {@code floor(x / W) * W} in double, rounded to float; NaN (missing) stays NaN. */
        public float apply(float x) {
            double w = width.doubleValue();
            return (float) (Math.floor(x / w) * w);
        }

        @Override
        public Output output() {
            return Output.NUMBER;
        }

        @Override
        public String id() {
            return "bucket(" + width.toPlainString() + ")";
        }
    }

    /** ISO dates truncated to a year, a month or a day. */
    record DateTruncation(String unit) implements ColumnMask {
        public DateTruncation {
            if (!unit.equals("year") && !unit.equals("month") && !unit.equals("day")) {
                throw new IllegalArgumentException("date unit '" + unit + "' (expected: year, month or day)");
            }
        }

        static DateTruncation parse(String arg) {
            return new DateTruncation(arg);
        }

        /**
         * The truncated date of {@code cell} (trimmed, not missing), or null when it is not an ISO date
         * ({@code YYYY-MM-DD}, alone or followed by {@code T} or a blank and a time).
         */
        String apply(String cell) {
            if (cell.length() < 10 || cell.length() > 10 && cell.charAt(10) != 'T' && cell.charAt(10) != ' ') {
                return null;
            }
            LocalDate d;
            try {
                d = LocalDate.parse(cell.substring(0, 10));
            } catch (DateTimeException e) {
                return null;
            }
            String iso = d.toString();
            return switch (unit) {
                case "year" -> iso.substring(0, 4);
                case "month" -> iso.substring(0, 7);
                default -> iso;
            };
        }

        @Override
        public Output output() {
            return Output.CATEGORY;
        }

        @Override
        public String id() {
            return "date(" + unit + ")";
        }
    }
}
