import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;

/**
 * The Docker HEALTHCHECK of the Ringfold server image: GET one URL and exit 0 when it answers 200,
 * 1 otherwise (refused, timed out, any other status). Compiled in the image's build stage, so the slim
 * runtime image needs no curl or wget. Docker only; Kubernetes ignores HEALTHCHECK and uses the probes
 * in deploy/kubernetes/base/deployment.yaml.
 *
 * <p>Usage: {@code java -cp /app/healthcheck HealthCheck [URL]} (default
 * {@code http://127.0.0.1:8080/v2/health/live}).
 */
public final class HealthCheck {

    static final String DEFAULT_URL = "http://127.0.0.1:8080/v2/health/live";
    // Docker's --timeout is 5 s; the check gives up on its own first so that it can say why.
    private static final int TIMEOUT_MILLIS = 2_000;

    private HealthCheck() {
    }

    public static void main(String[] args) {
        System.exit(check(args.length > 0 ? args[0] : DEFAULT_URL));
    }

    /** 0 when {@code url} answers 200, 1 otherwise; the reason goes to stderr (Docker keeps it). */
    static int check(String url) {
        HttpURLConnection connection = null;
        try {
            URL target = URI.create(url).toURL();
            connection = (HttpURLConnection) target.openConnection();
            connection.setConnectTimeout(TIMEOUT_MILLIS);
            connection.setReadTimeout(TIMEOUT_MILLIS);
            connection.setInstanceFollowRedirects(false);
            int status = connection.getResponseCode();
            drain(connection);
            if (status == HttpURLConnection.HTTP_OK) {
                return 0;
            }
            System.err.println("health check: GET " + url + ": status " + status + " (expected: 200)");
            return 1;
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("health check: GET " + url + ": " + e);
            return 1;
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
    }

    private static void drain(HttpURLConnection connection) throws IOException {
        InputStream body = connection.getResponseCode() < 400 ? connection.getInputStream() : connection.getErrorStream();
        if (body != null) {
            try (body) {
                body.readAllBytes();
            }
        }
    }
}
