package io.ringfold.serving.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The training job service as the dashboard shows it: the page's {@code /ui/api/jobs} calls go to the job
 * service's {@code /api/v1/jobs} with its token, so the page needs only the server's. A refusal of the job service
 * that is the page's to fix (a bad spec, an unknown job, a full queue) keeps its status and message; one that is
 * the operator's (the job service refused the token, failed or did not answer) becomes 502 naming the job service.
 * Calls are asynchronous: a slow or dead job service holds no thread of the server's.
 */
public final class JobsView {

    /** The recent jobs the page lists; the job service's own API pages further. */
    static final int LIST_LIMIT = 100;
    /** The log lines the page shows for one job. */
    static final int LOG_TAIL = 200;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** A reply for the page: a status and a JSON body ({@code {"error": ...}} for a refusal). */
    public record Reply(int status, JsonNode body) {
    }

    private final JobsLink link;
    private final HttpClient client;

    public JobsView(JobsLink link) {
        this.link = link;
        this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The newest jobs, newest first. */
    public CompletableFuture<Reply> list() {
        return call("GET", "/api/v1/jobs?limit=" + LIST_LIMIT, null);
    }

    /** One job with its epochs (the curves) and the last lines of its log, asked for at once. */
    public CompletableFuture<Reply> job(long id) {
        CompletableFuture<Reply> job = call("GET", "/api/v1/jobs/" + id, null);
        CompletableFuture<Reply> epochs = call("GET", "/api/v1/jobs/" + id + "/epochs", null);
        CompletableFuture<Reply> log = call("GET", "/api/v1/jobs/" + id + "/logs?tail=" + LOG_TAIL, null);
        return CompletableFuture.allOf(job, epochs, log).thenApply(v -> {
            for (CompletableFuture<Reply> r : java.util.List.of(job, epochs, log)) {
                if (r.join().status() != 200) {
                    return r.join();
                }
            }
            ObjectNode out = ViewJson.MAPPER.createObjectNode();
            out.set("job", job.join().body());
            out.set("epochs", epochs.join().body().path("epochs"));
            out.set("log", log.join().body());
            return new Reply(200, out);
        });
    }

    /** Submits the page's job spec as it is; the job service checks it. */
    public CompletableFuture<Reply> submit(byte[] spec) {
        return call("POST", "/api/v1/jobs", spec);
    }

    public CompletableFuture<Reply> cancel(long id) {
        return call("POST", "/api/v1/jobs/" + id + "/cancel", new byte[0]);
    }

    private CompletableFuture<Reply> call(String method, String pathAndQuery, byte[] body) {
        URI uri = URI.create(link.server() + pathAndQuery);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Accept", "application/json");
        if (link.token() != null) {
            b.header("Authorization", "Bearer " + link.token());
        }
        if (body != null) {
            b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString())
                .handle((res, failure) -> failure != null ? unanswered(method, uri, failure) : reply(method, uri, res));
    }

    private Reply unanswered(String method, URI uri, Throwable failure) {
        Throwable e = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        return error(502, "job service at " + link.server() + " did not answer " + method + " " + uri.getPath()
                + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
    }

    private Reply reply(String method, URI uri, HttpResponse<String> res) {
        JsonNode json;
        try {
            json = ViewJson.MAPPER.readTree(res.body());
        } catch (JsonProcessingException e) {
            json = null;
        }
        int status = res.statusCode();
        String message = json != null && json.path("error").isTextual() ? json.path("error").asText() : null;
        if (status == 401 || status == 403) {
            return error(502, "job service at " + link.server() + " refused the dashboard's token (" + status
                    + (message == null ? "" : ": " + message) + "; expected: serve --jobs-token-file with its token)");
        }
        if (status >= 500 && status != 503 || json == null || status >= 300 && status < 400) {
            return error(502, "job service at " + link.server() + ": " + method + " " + uri.getPath() + " answered "
                    + status + (message == null ? "" : ": " + message));
        }
        return new Reply(status, json);
    }

    private static Reply error(int status, String message) {
        return new Reply(status, ViewJson.MAPPER.createObjectNode().put("error", message));
    }
}
