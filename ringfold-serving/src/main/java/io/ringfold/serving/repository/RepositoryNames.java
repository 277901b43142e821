package io.ringfold.serving.repository;

import io.ringfold.serving.core.ModelNotFoundException;

import java.util.regex.Pattern;

/**
 * Which directory names are models and versions. A model name is 1 to 128 letters, digits, '_', '-' or
 * '.', starting with a letter or digit and never containing "..", so it can name no hidden file and no
 * path outside the repository; a version is a decimal number of at most 18 digits.
 */
public final class RepositoryNames {

    private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");

    private RepositoryNames() {
    }

    /**
     * The rule above as a loop over the characters: it runs on every inference request, where a regular
     * expression match was a few per cent of the server's time.
     */
    public static boolean isModelName(String s) {
        if (s == null || s.isEmpty() || s.length() > 128 || !isAsciiAlphanumeric(s.charAt(0))) {
            return false;
        }
        for (int i = 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.' ? s.charAt(i - 1) == '.' : !(isAsciiAlphanumeric(c) || c == '_' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiAlphanumeric(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    public static boolean isVersion(String s) {
        return s != null && VERSION.matcher(s).matches();
    }

    /** The model name, or IllegalArgumentException naming the rule it breaks. */
    public static String checkModelName(String s) {
        if (!isModelName(s)) {
            throw new IllegalArgumentException("model name: " + quote(s) + " (expected: 1-128 letters, digits, '_', "
                    + "'-' or '.', starting with a letter or digit, no '..')");
        }
        return s;
    }

    /** A model name from a request, or ModelNotFoundException naming the rule it breaks (HTTP 404, gRPC NOT_FOUND). */
    public static String requireModelName(String s) {
        if (!isModelName(s)) {
            throw new ModelNotFoundException("model " + (s.isEmpty() ? "name empty" : "'" + s.replaceAll("\\p{Cntrl}", "?") + "'")
                    + ": not found (expected: letters, digits, '_', '-' or '.', no '..')");
        }
        return s;
    }

    /** A version number from a request, or ModelNotFoundException (HTTP 404, gRPC NOT_FOUND). */
    public static long requireVersion(String s) {
        if (!isVersion(s)) {
            throw new ModelNotFoundException("version '" + s + "': not found (expected: a decimal version number)");
        }
        return Long.parseLong(s);
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return "'" + cut.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
