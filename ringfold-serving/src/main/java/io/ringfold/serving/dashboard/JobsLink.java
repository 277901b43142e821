package io.ringfold.serving.dashboard;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the dashboard finds the training job service ({@code serve --jobs-server URL}) and the token it sends
 * there ({@code --jobs-token-file}), read once at start so that a bad file stops the server naming it.
 *
 * @param server the job service's base URL, e.g. {@code http://ringfold-jobs:8600}
 * @param token  the job service's bearer token, or null when it runs without one
 */
public record JobsLink(URI server, String token) {

    public JobsLink {
        if (server == null || server.getHost() == null
                || !("http".equals(server.getScheme()) || "https".equals(server.getScheme()))) {
            throw new IllegalArgumentException("jobs server: " + server + " (expected: an http or https URL, e.g. "
                    + "http://localhost:8600)");
        }
        if (server.getRawQuery() != null || server.getRawFragment() != null) {
            throw new IllegalArgumentException("jobs server: " + server + " (expected: no query or fragment)");
        }
    }

    /** The link to {@code server}, with the token in {@code tokenFile} (null: none). */
    public static JobsLink of(String server, Path tokenFile) {
        URI uri;
        try {
            uri = URI.create(server.endsWith("/") ? server.substring(0, server.length() - 1) : server);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("jobs server: " + server + " (expected: an http or https URL, e.g. "
                    + "http://localhost:8600)");
        }
        if (tokenFile == null) {
            return new JobsLink(uri, null);
        }
        String token;
        try {
            token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("jobs token file: " + tokenFile + ": cannot read (" + e.getMessage() + ")");
        }
        if (token.isEmpty() || token.chars().anyMatch(c -> c <= ' ' || c > '~')) {
            throw new IllegalArgumentException("jobs token file: " + tokenFile + " (expected: one token of printable "
                    + "ASCII characters)");
        }
        return new JobsLink(uri, token);
    }

    @Override
    public String toString() {
        // Never the token: the link is printed at start.
        return server + (token == null ? "" : " (with a token)");
    }
}
