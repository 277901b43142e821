package io.ringfold.serving.repository;

import java.util.regex.Pattern;

/**
 * Which directory names are models and versions. A model name is 1 to 128 letters, digits, '_', '-' or
 * '.', starting with a letter or digit and never containing "..", so it can name no hidden file and no
 * path outside the repository; a version is a decimal number of at most 18 digits.
 */
public final class RepositoryNames {

    private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");

    private RepositoryNames() {
    }

    public static boolean isModelName(String s) {
        return s != null && MODEL.matcher(s).matches() && !s.contains("..");
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
