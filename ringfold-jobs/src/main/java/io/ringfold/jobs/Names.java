package io.ringfold.jobs;

import java.util.Arrays;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which strings may name jobs, published models and service instances, and how bad input is quoted in a
 * message. Job and model names follow the serving repository's rule for model names (1 to 128 letters,
 * digits, '_', '-' or '.', starting with a letter or digit, no ".."), so a job may be named after the model
 * it publishes.
 */
public final class Names {

    public static final int MAX_NAME = 128;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9_-]|\\.(?!\\.))*");
    private static final Pattern OWNER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]*");

    private Names() {
    }

    /** {@code value} if it is a job or model name, else IllegalArgumentException naming {@code field} and the rule. */
    public static String checkName(String field, String value) {
        if (value == null || value.length() > MAX_NAME || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(field + ": " + quote(value) + " (expected: 1-128 letters, digits, '_', "
                    + "'-' or '.', starting with a letter or digit, no '..')");
        }
        return value;
    }

    /**
     * {@code value} if it names a service instance (an owner of running jobs; host names, pids and ports fit:
     * letters, digits, '.', '_', ':', '@', '-'), else IllegalArgumentException.
     */
    public static String checkOwner(String value) {
        if (value == null || value.length() > MAX_NAME || !OWNER.matcher(value).matches()) {
            throw new IllegalArgumentException("owner: " + quote(value) + " (expected: 1-128 letters, digits, '.', '_', "
                    + "':', '@' or '-', starting with a letter or digit)");
        }
        return value;
    }

    /** The constant of {@code values} whose id is {@code id}, or IllegalArgumentException naming the field and the ids. */
    static <E extends Enum<E>> E byId(String field, String id, E[] values, Function<E, String> idOf) {
        for (E e : values) {
            if (idOf.apply(e).equals(id)) {
                return e;
            }
        }
        throw new IllegalArgumentException(field + ": " + quote(id) + " (expected: one of "
                + Arrays.stream(values).map(idOf).collect(Collectors.joining(", ")) + ")");
    }

    /** A value for a message: quoted, cut to 64 characters, control characters shown as '?'. */
    public static String quote(String s) {
        if (s == null) {
            return "null";
        }
        String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return "'" + cut.replaceAll("\\p{Cntrl}", "?") + "'";
    }
}
