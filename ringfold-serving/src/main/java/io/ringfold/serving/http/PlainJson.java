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
    /** 2^53: every integer up to it is an exact double. */
    private static final long MAX_EXACT = 1L << 53;
    /** The powers of ten that are exact doubles, 10^0 to 10^22. */
    private static final double[] POWERS_OF_TEN = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
            1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

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
        if (shortDecimal(out)) {
            return true;
        }
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
        double d = exactDecimal(negative ? start + 1 : start, pos);
        if (Double.isNaN(d)) {
            // JSON's number grammar is a subset of Double.parseDouble's, and both round correctly: the same double.
            d = Double.parseDouble(new String(b, start, pos - start, StandardCharsets.ISO_8859_1));
        } else if (negative) {
            d = -d;
        }
        return out.addFractional(d);
    }

    /**
     * The common number, at most 15 digits with an optional fraction and no exponent (what clients write for
     * pixels and probabilities), read in one pass and appended as {@link #number} would; false, consuming
     * nothing, for any other text, which {@link #number} then reads in full. Its digits make an integer below
     * 10^15, exact as a double, and its scale at most 10^15, so one division rounds correctly (see
     * {@link #exactDecimal}).
     */
    private boolean shortDecimal(ExactFloats out) {
        byte[] b = this.b;
        int n = b.length;
        int p = pos;
        boolean negative = p < n && b[p] == '-';
        if (negative) {
            p++;
        }
        int first = p;
        long m = 0;
        byte c;
        while (p < n && (c = b[p]) >= '0' && c <= '9') {
            m = m * 10 + (c - '0');
            p++;
        }
        int whole = p - first;
        if (whole == 0 || whole > 15 || (whole > 1 && b[first] == '0')) {
            return false;
        }
        int fraction = 0;
        if (p < n && b[p] == '.') {
            int from = ++p;
            while (p < n && (c = b[p]) >= '0' && c <= '9') {
                m = m * 10 + (c - '0');
                p++;
            }
            fraction = p - from;
            if (fraction == 0 || whole + fraction > 15) {
                return false;
            }
        }
        if (p >= n || !(b[p] == ',' || b[p] == ']' || b[p] == '}' || b[p] == ' ' || b[p] == '\n' || b[p] == '\r'
                || b[p] == '\t')) {
            return false;
        }
        if (fraction == 0) {
            pos = p;
            out.addIntegral(negative ? -m : m);
            return true;
        }
        double d = m / POWERS_OF_TEN[fraction];
        if (!out.addFractional(negative ? -d : d)) {
            return false;
        }
        pos = p;
        return true;
    }

    /**
     * The value of the unsigned number in {@code b[from, to)} (checked JSON) by Clinger's fast path: when its
     * digits make an integer m of at most 2^53 and its power of ten p is within 10^22 either way, both are exact
     * doubles and one correctly rounded multiplication or division gives the correctly rounded value, as
     * {@code Double.parseDouble} does; NaN when the number is outside that range.
     */
    double exactDecimal(int from, int to) {
        long m = 0;
        int scale = 0;
        int i = from;
        boolean fraction = false;
        for (; i < to; i++) {
            byte c = b[i];
            if (c == '.') {
                fraction = true;
                continue;
            }
            if (c == 'e' || c == 'E') {
                break;
            }
            m = m * 10 + (c - '0');
            if (m > MAX_EXACT) {
                return Double.NaN;
            }
            if (fraction) {
                scale--;
            }
        }
        if (i < to) {
            i++;
            boolean negativeExponent = b[i] == '-';
            if (b[i] == '-' || b[i] == '+') {
                i++;
            }
            int e = 0;
            for (; i < to; i++) {
                e = e * 10 + (b[i] - '0');
                if (e > POWERS_OF_TEN.length + 18) {
                    return Double.NaN;
                }
            }
            scale += negativeExponent ? -e : e;
        }
        if (scale < -(POWERS_OF_TEN.length - 1) || scale > POWERS_OF_TEN.length - 1) {
            return Double.NaN;
        }
        return scale < 0 ? m / POWERS_OF_TEN[-scale] : m * POWERS_OF_TEN[scale];
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
