package io.ringfold.serving.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The dashboard's files from the classpath, without a server. */
class StaticResourcesTest {

    private final StaticResources files = new StaticResources();

    private static String text(HttpReply r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    @Test
    void servesThePageWithItsTypeAnETagAndNoCache() {
        HttpReply index = files.get("", null);
        assertThat(index.status()).isEqualTo(200);
        assertThat(index.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(text(index)).contains("<title>Ringfold dashboard</title>");
        assertThat(index.headers()).containsEntry("Cache-Control", "no-cache")
                .containsEntry("X-Content-Type-Options", "nosniff")
                .containsKey("Content-Security-Policy");
        assertThat(index.headers().get("ETag")).matches("\"[0-9a-f]{32}\"");
        assertThat(files.get("index.html", null).headers().get("ETag")).isEqualTo(index.headers().get("ETag"));
        assertThat(files.get("app.js", null).contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(files.get("style.css", null).contentType()).isEqualTo("text/css; charset=utf-8");
    }

    @Test
    void servesChartJsFromItsWebJar() {
        HttpReply r = files.get(StaticResources.CHART_JS, null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(text(r)).startsWith("/*!\n * Chart.js v4.");
    }

    @Test
    void aMatchingIfNoneMatchAnswers304WithoutABody() {
        String etag = files.get("app.js", null).headers().get("ETag");
        for (String header : new String[] {etag, "W/" + etag, "\"other\", " + etag, "*"}) {
            HttpReply r = files.get("app.js", header);
            assertThat(r.status()).as(header).isEqualTo(304);
            assertThat(r.body()).isEmpty();
            assertThat(r.headers()).containsEntry("ETag", etag);
        }
        assertThat(files.get("app.js", "\"other\"").status()).isEqualTo(200);
    }

    @ParameterizedTest
    @ValueSource(strings = {"nope.js", "../pom.xml", "../../../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e/app.js",
            "vendor/../index.html", "vendor/chart.js", "io/ringfold/serving/ui/index.html", "index.html/", ".hidden.js",
            "./app.js", "app.js%00.png", "APP.JS", "app.java", "Router.class", "../http/Router.class", "/etc/passwd",
            "META-INF/MANIFEST.MF", "vendor/chart.umd.js/..", "\\..\\pom.xml"})
    void anyOtherPathIs404(String name) {
        assertThatThrownBy(() -> files.get(name, null)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.status()).isEqualTo(404));
    }

    /** Every file the page links or imports (index.html's src/href, the modules' imports) is there. */
    @Test
    void everyFileThePageReferencesIsServed() {
        Set<String> referenced = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?:src|href)=\"([^\"#:]+)\"").matcher(text(files.get("index.html", null)));
        while (m.find()) {
            referenced.add(m.group(1));
        }
        Pattern imports = Pattern.compile("from '\\./([^']+)'");
        java.util.ArrayDeque<String> modules = new java.util.ArrayDeque<>(referenced);
        while (!modules.isEmpty()) {
            String module = modules.poll();
            if (module.endsWith(".js") && !module.startsWith("vendor/")) {
                Matcher i = imports.matcher(text(files.get(module, null)));
                while (i.find()) {
                    if (referenced.add(i.group(1))) {
                        modules.add(i.group(1));
                    }
                }
            }
        }
        assertThat(referenced).contains("style.css", "app.js", StaticResources.CHART_JS, "api.js", "dom.js", "playground.js");
        for (String f : referenced) {
            assertThat(files.get(f, null).status()).as(f).isEqualTo(200);
        }
    }
}
