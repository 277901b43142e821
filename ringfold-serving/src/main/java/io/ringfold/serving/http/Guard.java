package io.ringfold.serving.http;

import io.ringfold.serving.security.BearerToken;

import java.util.List;

/**
 * What stands between a decoded request and the {@link Router}: the bearer-token check (RFC 6750) and the
 * access log, each optional. The health probes are always open, because Kubernetes probes send no token, and
 * so are the dashboard's static files.
 */
public final class Guard {

    /** No token required, nothing logged. */
    public static final Guard OPEN = new Guard(null, null);

    private static final String REALM = "Bearer realm=\"ringfold\"";

    private final BearerToken token;
    private final AccessLog accessLog;

    /**
     * @param token     the token every request but the probes must carry, or null for none
     * @param accessLog where each request is logged, or null for no access log
     */
    public Guard(BearerToken token, AccessLog accessLog) {
        this.token = token;
        this.accessLog = accessLog;
    }

    /**
     * Paths answered without a token: the liveness and readiness probes, and the dashboard's static files,
     * which hold no data (the page asks for the token and sends it with its API calls).
     */
    static boolean isOpen(String path) {
        return path.equals("/v2/health/live") || path.equals("/v2/health/ready") || Dashboard.isFile(path);
    }

    /**
     * The reply refusing a request, or null when it may go on: 401 with a bare {@code WWW-Authenticate}
     * challenge when no bearer token is sent, 401 with {@code error="invalid_token"} for a wrong one, 400
     * with {@code error="invalid_request"} for a malformed one (RFC 6750 section 3.1; 403 is for
     * insufficient scope, and there are no scopes here).
     */
    HttpReply refusal(String path, List<String> authorization) {
        if (token == null || isOpen(path)) {
            return null;
        }
        return switch (token.check(authorization)) {
            case ALLOWED -> null;
            case MISSING -> HttpReply.error(401, "Authorization: no bearer token (expected: Authorization: Bearer <token>)")
                    .withHeader("WWW-Authenticate", REALM);
            case INVALID_TOKEN -> HttpReply.error(401, "Authorization: bearer token not valid (expected: the server's token)")
                    .withHeader("WWW-Authenticate", REALM + ", error=\"invalid_token\"");
            case MALFORMED -> HttpReply.error(400, "Authorization: malformed (expected: exactly one header, "
                            + "Bearer followed by one token of letters, digits, '-', '.', '_', '~', '+', '/' and trailing '=')")
                    .withHeader("WWW-Authenticate", REALM + ", error=\"invalid_request\"");
        };
    }

    boolean logging() {
        return accessLog != null;
    }

    void log(AccessRecord r) {
        accessLog.log(r);
    }
}
