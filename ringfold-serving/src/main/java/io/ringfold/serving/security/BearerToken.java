package io.ringfold.serving.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The one bearer token the server accepts (RFC 6750), read from a file at start-up. Presented tokens are
 * compared by their SHA-256 digests with {@link MessageDigest#isEqual}, so the time taken reveals neither a
 * matching prefix nor the token's length. The token itself is never logged nor put in a message.
 */
public final class BearerToken {

    /** The outcome of checking a request's {@code Authorization} header. */
    public enum Decision {
        /** {@code Bearer <the token>}. */
        ALLOWED,
        /** No {@code Authorization} header, or another scheme (Basic, ...): 401 with a bare challenge. */
        MISSING,
        /** {@code Bearer} with a well-formed token that is not ours: 401, {@code error="invalid_token"}. */
        INVALID_TOKEN,
        /** {@code Bearer} with nothing or a malformed token after it, or several headers: 400, {@code error="invalid_request"}. */
        MALFORMED
    }

    private static final String SCHEME = "Bearer";

    private final byte[] digest;

    private BearerToken(String token) {
        this.digest = sha256(token);
    }

    /**
     * Reads the token from {@code file}, surrounding whitespace trimmed.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read, is empty, or holds characters
     *                                  a bearer token cannot carry (RFC 6750 b64token)
     */
    public static BearerToken read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            // Unreadable, missing, a directory, or not UTF-8: all mean the operator must fix the file.
            throw new IllegalArgumentException("auth token file " + file + ": cannot be read (" + e
                    + "; expected: a readable file holding the token)", e);
        }
        String token = text.strip();
        if (token.isEmpty()) {
            throw new IllegalArgumentException("auth token file " + file + ": empty (expected: a bearer token)");
        }
        int bad = firstInvalid(token);
        if (bad >= 0) {
            // The position, never the token: the message ends up in logs.
            throw new IllegalArgumentException("auth token file " + file + ": character " + (bad + 1) + " of "
                    + token.length() + " cannot appear in a bearer token (expected: letters, digits, '-', '.', '_', "
                    + "'~', '+', '/', then optional trailing '=')");
        }
        return new BearerToken(token);
    }

    /** A token given directly (tests); same rules as a file's content. */
    public static BearerToken of(String token) {
        if (token.isEmpty() || firstInvalid(token) >= 0) {
            throw new IllegalArgumentException("bearer token: not a b64token (expected: letters, digits, "
                    + "'-', '.', '_', '~', '+', '/', then optional trailing '=')");
        }
        return new BearerToken(token);
    }

    /**
     * Checks a request's {@code Authorization} header values (empty when absent).
     *
     * @param values every {@code Authorization} header of the request
     */
    public Decision check(java.util.List<String> values) {
        if (values.isEmpty()) {
            return Decision.MISSING;
        }
        if (values.size() > 1) {
            return Decision.MALFORMED;
        }
        String v = values.get(0).strip();
        // The scheme is case-insensitive (RFC 9110 section 11.1).
        if (!v.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
                || (v.length() > SCHEME.length() && v.charAt(SCHEME.length()) != ' ')) {
            return Decision.MISSING;
        }
        String presented = v.substring(SCHEME.length()).strip();
        if (presented.isEmpty() || firstInvalid(presented) >= 0) {
            return Decision.MALFORMED;
        }
        return MessageDigest.isEqual(sha256(presented), digest) ? Decision.ALLOWED : Decision.INVALID_TOKEN;
    }

    /** Index of the first character outside RFC 6750's b64token, or -1. */
    private static int firstInvalid(String t) {
        int i = 0;
        int n = t.length();
        while (i < n && isTokenChar(t.charAt(i))) {
            i++;
        }
        int body = i;
        while (i < n && t.charAt(i) == '=') {
            i++;
        }
        if (body == 0) {
            return 0;
        }
        return i == n ? -1 : i;
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest's contract).
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "BearerToken[redacted]";
    }
}
