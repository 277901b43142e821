package io.ringfold.serving.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The dashboard's files, served from the classpath: the page's own files under {@value #BASE} and Chart.js's
 * {@code dist/chart.umd.js} from its WebJar, at {@value #CHART_JS}. Only plain names of known types are looked
 * up (letters, digits, '-' and '_', one extension, no directories), so no request path can leave the folder.
 * Each file carries a strong {@code ETag} (its SHA-256) and {@code Cache-Control: no-cache}, so the browser
 * revalidates and a matching {@code If-None-Match} answers 304 without a body.
 */
final class StaticResources {

    static final String BASE = "io/ringfold/serving/ui/";
    static final String CHART_JS = "vendor/chart.umd.js";
    private static final String CHART_JS_POM = "META-INF/maven/org.webjars.npm/chart.js/pom.properties";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}\\.(html|js|css|svg|png|ico)");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon");
    /** The page talks only to its own origin and is never framed. Chart.js sizes its canvases with inline styles. */
    private static final String CSP = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private record File(byte[] body, String contentType, String etag) {
    }

    private final ClassLoader loader;
    private final String chartJsResource;
    private final Map<String, File> cache = new ConcurrentHashMap<>();

    StaticResources() {
        this(StaticResources.class.getClassLoader());
    }

    StaticResources(ClassLoader loader) {
        this.loader = loader;
        this.chartJsResource = chartJsResource(loader);
    }

    /** Where the WebJar keeps {@code chart.umd.js}, from its version in the jar's Maven metadata; null without the WebJar. */
    private static String chartJsResource(ClassLoader loader) {
        try (InputStream in = loader.getResourceAsStream(CHART_JS_POM)) {
            if (in == null) {
                return null;
            }
            Properties p = new Properties();
            p.load(in);
            String v = p.getProperty("version");
            return v == null ? null : "META-INF/resources/webjars/chart.js/" + v + "/dist/chart.umd.js";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + CHART_JS_POM + " from the classpath", e);
        }
    }

    /**
     * The file at {@code name} (relative to {@code /ui/}; empty means {@code index.html}), 304 when
     * {@code ifNoneMatch} names its current ETag, or 404.
     */
    HttpReply get(String name, String ifNoneMatch) {
        String n = name.isEmpty() ? "index.html" : name;
        File f = cache.get(n);
        if (f == null) {
            f = load(n);
            if (f == null) {
                throw new ApiException(404, "dashboard file '" + (n.length() > 80 ? n.substring(0, 80) + "..." : n)
                        + "' not found (expected: a file of /ui/, e.g. /ui/index.html)");
            }
            cache.putIfAbsent(n, f);
        }
        if (ifNoneMatch != null && matches(ifNoneMatch, f.etag())) {
            return headers(new HttpReply(304, new byte[0], f.contentType(), Map.of(), -1), f);
        }
        HttpReply r = headers(new HttpReply(200, f.body(), f.contentType(), Map.of(), -1), f);
        return n.endsWith(".html") ? r.withHeader("Content-Security-Policy", CSP) : r;
    }

    private static HttpReply headers(HttpReply r, File f) {
        return r.withHeader("ETag", f.etag()).withHeader("Cache-Control", "no-cache")
                .withHeader("X-Content-Type-Options", "nosniff");
    }

    /** {@code If-None-Match}: {@code *} or a comma-separated list of entity tags (weak ones compare weakly, RFC 9110 13.1.2). */
    static boolean matches(String ifNoneMatch, String etag) {
        for (String t : ifNoneMatch.split(",")) {
            String s = t.strip();
            if (s.startsWith("W/")) {
                s = s.substring(2);
            }
            if (s.equals("*") || s.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private File load(String name) {
        String resource;
        if (name.equals(CHART_JS)) {
            resource = chartJsResource;
        } else if (NAME.matcher(name).matches()) {
            resource = BASE + name;
        } else {
            return null;
        }
        if (resource == null) {
            return null;
        }
        byte[] body;
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource + " from the classpath", e);
        }
        String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
        return new File(body, type, etag(body));
    }

    private static String etag(byte[] body) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(body);
            return "\"" + HexFormat.of().formatHex(d, 0, 16) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256: not available (every Java platform must provide it)", e);
        }
    }
}
