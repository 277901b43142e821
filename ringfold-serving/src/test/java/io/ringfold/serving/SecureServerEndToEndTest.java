package io.ringfold.serving;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The server with a bearer token and TLS, over real sockets with the JDK's HTTP client. */
class SecureServerEndToEndTest {

    private static final String TOKEN = "e2e-Token.42";
    private static final String ROW = "{\"instances\": [[1, 0]]}";

    @TempDir
    static Path dir;

    private static InferenceServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        Path repo = Files.createDirectory(dir.resolve("repo"));
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        TestCertificates.Pem pem = TestCertificates.selfSigned(dir, "server", "RSA");
        Path token = Files.writeString(dir.resolve("token"), TOKEN + "\n");
        ServerConfig config = ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO)
                .withHost("127.0.0.1").withPort(0).withGrpcPort(-1).withPollSeconds(0)
                .withGracePeriod(Duration.ofSeconds(5)).withAuthTokenFile(token).withTls(pem.cert(), pem.key());
        server = InferenceServer.start(config);
        client = HttpClient.newBuilder().sslContext(pem.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        server.shutdown();
    }

    private static HttpResponse<String> send(String scheme, String method, String path, String body, String token)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void probesAreOpenAndInferenceNeedsTheTokenOverHttps() throws Exception {
        assertThat(send("https", "GET", "/v2/health/live", null, null).statusCode()).isEqualTo(200);
        assertThat(send("https", "GET", "/v2/health/ready", null, null).statusCode()).isEqualTo(200);

        HttpResponse<String> none = send("https", "POST", "/v1/models/iris:predict", ROW, null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"ringfold\"");
        HttpResponse<String> wrong = send("https", "POST", "/v1/models/iris:predict", ROW, "e2e-Token.43");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"ringfold\", error=\"invalid_token\"");
        assertThat(send("https", "GET", "/metrics", null, null).statusCode()).isEqualTo(401);

        HttpResponse<String> ok = send("https", "POST", "/v1/models/iris:predict", ROW, TOKEN);
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("\"class\":\"a\"");
        assertThat(send("https", "GET", "/metrics", null, TOKEN).body()).contains("ringfold_http_responses_total{code=\"401\"}");
    }

    @Test
    void plainHttpToTheTlsPortGetsAReasonAndTheServerKeepsServing() throws Exception {
        HttpResponse<String> plain = send("http", "GET", "/v2/health/live", null, null);
        assertThat(plain.statusCode()).isEqualTo(400);
        assertThat(plain.body()).isEqualTo("{\"error\":\"plain HTTP sent to a TLS port (expected: https://)\"}");

        // A TLS record header followed by garbage: the handshake fails and the connection closes.
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0x16, 0x03, 0x01, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8});
            out.flush();
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // an alert may come first; the connection must end
            }
        }

        // A client that does not trust the certificate fails its handshake, and nothing else.
        HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(
                        URI.create("https://127.0.0.1:" + server.port() + "/v2/health/live")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);

        assertThat(send("https", "GET", "/v2/health/ready", null, null).statusCode()).isEqualTo(200);
        assertThat(send("https", "POST", "/v1/models/iris:predict", ROW, TOKEN).statusCode()).isEqualTo(200);
    }
}
