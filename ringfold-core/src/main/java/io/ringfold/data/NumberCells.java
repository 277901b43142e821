package io.ringfold.data;

/**
 * Strict parsing of numeric text cells, and the spellings of a missing value. {@link Float#parseFloat} also accepts {@code NaN},
 * {@code Infinity}, hex floats and a trailing {@code f}/{@code d}; a data file with those is more likely
 * wrong than meant, so only plain decimal notation is accepted, and the value must be finite as a float.
 */
final class NumberCells {

    /**
     * The cells that stand for a missing value: pandas' default {@code na_values} (pandas 2.x
     * {@code read_csv}, the empty cell included), and {@code ?}, which UCI data sets use and pandas does
     * not know. Compared after trimming, case-sensitively, as pandas does.
     */
    static final java.util.Set<String> MISSING = java.util.Set.of("", "#N/A", "#N/A N/A", "#NA", "-1.#IND",
            "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan",
            "null", "?");

    private NumberCells() {
    }

    /** True when {@code s} (trimmed) is one of the {@link #MISSING} spellings. */
    static boolean isMissing(String s) {
        return MISSING.contains(s);
    }

    /** True when {@code s} is plain decimal notation (digits, sign, point, exponent) with at least one digit. */
    static boolean isDecimal(String s) {
        boolean digit = false;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digit = true;
            } else if (c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E') {
                return false;
            }
        }
        return digit;
    }

    /**
     * The finite float that {@code s} denotes, or NaN when {@code s} is not plain finite decimal notation
     * (NaN is never a valid result, so it serves as the failure signal without an exception per cell).
     */
    static float parseOrNaN(String s) {
        if (!isDecimal(s)) {
            return Float.NaN;
        }
        float v;
        try {
            v = Float.parseFloat(s);
        } catch (NumberFormatException e) {
            // isDecimal admits malformed orders such as "1-2" or "e5"; those land here.
            return Float.NaN;
        }
        return Float.isFinite(v) ? v : Float.NaN;
    }

    /** True for the spellings of NaN and infinity that number parsers accept (any case, optional sign). */
    static boolean isNonFiniteSpelling(String s) {
        String t = s.toLowerCase(java.util.Locale.ROOT);
        if (t.startsWith("+") || t.startsWith("-")) {
            t = t.substring(1);
        }
        return t.equals("nan") || t.equals("inf") || t.equals("infinity");
    }

    /** What was wrong with a cell that {@link #parseOrNaN} rejected, for the error message. */
    static String describeBad(String s) {
        if (s.isEmpty()) {
            return "empty cell";
        }
        String t = s.toLowerCase(java.util.Locale.ROOT);
        if (t.contains("nan") || t.contains("inf")) {
            return "non-finite value " + DataFormatException.quote(s);
        }
        if (isDecimal(s)) {
            try {
                Float.parseFloat(s);
                return "value " + DataFormatException.quote(s) + " overflows float";
            } catch (NumberFormatException e) {
                return "non-numeric value " + DataFormatException.quote(s);
            }
        }
        return "non-numeric value " + DataFormatException.quote(s);
    }
}
