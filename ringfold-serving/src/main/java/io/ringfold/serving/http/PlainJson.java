package io.ringfold.serving.http;

import java.nio.charset.StandardCharsets;

/**
 * A cursor over a request body that reads only a plain subset of JSON, straight from the bytes: strings of
 * printable ASCII without escapes, integers of at most 18 digits, floating-point numbers of at most 40
 * characters, the four JSON whitespace characters. Every method answers "not plain" (false, null or -1)
 * at anything else, valid JSON or not, and the caller then hands the body to a Jackson reader, which decides.
 * Whatever it does accept, Jackson reads as the same tokens with the same values, so readers built on it
 * accept a subset of what the Jackson readers accept, with the same result; it costs a fraction of a
 * general parser, which was a fifth of the server's time per single-row request.
 */
final class PlainJson {

    /** Longest floating-point number text read here; Jackson's own limit is far larger. */
    private static final int MAX_NUMBER_CHARS = 40;

    private final byte[] b;
    private int pos;

    PlainJson(byte[] body) {
        this.b = body;
    }

    /** Skips whitespace and consumes {@code c}; false (position unspecified) when the next byte is another. */
    boolean take(char c) {
        skipWhitespace();
        if (pos < b.length && b[pos] == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** Skips whitespace and tells whether the next byte is {@code c}, consuming nothing. */
    boolean peek(char c) {
        skipWhitespace();
        return pos < b.length && b[pos] == c;
    }

    private void skipWhitespace() {
        while (pos < b.length) {
            byte c = b[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    /** A string of printable ASCII other than '"' and '\', quotes included; null when not plain. */
    String string() {
        if (!take('"')) {
            return null;
        }
        int start = pos;
        while (pos < b.length) {
            byte c = b[pos];
            if (c == '"') {
                String s = new String(b, start, pos - start, StandardCharsets.ISO_8859_1);
                pos++;
                return s;
            }
            if (c < 0x20 || c > 0x7e || c == '\\') {
                return null;
            }
            pos++;
        }
        return null;
    }

    /** A key and its colon; null when not plain. */
    String key() {
        String k = string();
        return k != null && take(':') ? k : null;
    }

    /**
     * A positive integer of at most 18 digits (so within long); -1 when the next value is anything else,
     * including a number Jackson would read as floating point.
     */
    long positiveInteger() {
        skipWhitespace();
        int start = pos;
        long v = integerPart();
        return v >= 1 && pos > start && numberEnds() ? v : -1;
    }

    /**
     * Appends the next value to {@code out} when it is a plain number whose float {@link ExactFloats} keeps;
     * false otherwise.
     */
    boolean number(ExactFloats out) {
        skipWhitespace();
        int start = pos;
        boolean negative = pos < b.length && b[pos] == '-';
        if (negative) {
            pos++;
        }
        long v = integerPart();
        if (v < 0) {
            return false;
        }
        if (numberEnds()) {
            out.addIntegral(negative ? -v : v);
            return true;
        }
        if (pos < b.length && b[pos] == '.') {
            pos++;
            if (!digits()) {
                return false;
            }
        }
        if (pos < b.length && (b[pos] == 'e' || b[pos] == 'E')) {
            pos++;
            if (pos < b.length && (b[pos] == '+' || b[pos] == '-')) {
                pos++;
            }
            if (!digits()) {
                return false;
            }
        }
        if (pos - start > MAX_NUMBER_CHARS || !numberEnds()) {
            return false;
        }
        // JSON's number grammar is a subset of Double.parseDouble's, and both round correctly: the same double.
        return out.addFractional(Double.parseDouble(new String(b, start, pos - start, StandardCharsets.ISO_8859_1)));
    }

    /** '0' or a non-zero digit and at most 17 more; -1 otherwise (leading zeros, no digit, too many). */
    private long integerPart() {
        if (pos >= b.length || b[pos] < '0' || b[pos] > '9') {
            return -1;
        }
        if (b[pos] == '0') {
            pos++;
            return pos < b.length && b[pos] >= '0' && b[pos] <= '9' ? -1 : 0;
        }
        long v = 0;
        int start = pos;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
            if (pos - start == 18) {
                return -1;
            }
            v = v * 10 + (b[pos] - '0');
            pos++;
        }
        return v;
    }

    /** One or more digits. */
    private boolean digits() {
        int start = pos;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') {
            pos++;
        }
        return pos > start;
    }

    /** Whether the number just read ends here: at whitespace, ',', ']' or '}' (not at the end of the body). */
    private boolean numberEnds() {
        if (pos >= b.length) {
            return false;
        }
        byte c = b[pos];
        return c == ',' || c == ']' || c == '}' || c == ' ' || c == '\n' || c == '\r' || c == '\t';
    }
}
