package io.ringfold.serving.http;

import io.ringfold.serving.dashboard.ModelsView;
import io.ringfold.serving.dashboard.RunsView;
import io.ringfold.serving.dashboard.ServerView;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;

import java.io.IOException;
import java.util.function.BooleanSupplier;

/**
 * The results dashboard under {@code /ui}: the page's files ({@link StaticResources}) and its JSON API,
 * all {@code GET}:
 * <ul>
 *   <li>{@code /ui/api/models}: models, versions, state, labels, evaluation, provenance ({@link ModelsView});</li>
 *   <li>{@code /ui/api/runs}: the run records under the repository, newest first ({@link RunsView});</li>
 *   <li>{@code /ui/api/runs/{id}}: one run with its epochs, telemetry and confusion matrix;</li>
 *   <li>{@code /ui/api/server}: requests, latency percentiles and batch sizes ({@link ServerView}).</li>
 * </ul>
 * With a bearer token configured, the page's files are public (they hold no data) and the API, like every
 * other endpoint, requires the token; see {@link Guard}.
 */
final class Dashboard {

    static final String PREFIX = "/ui";
    static final String API = "/ui/api/";

    private final StaticResources files = new StaticResources();
    private final ModelsView models;
    private final RunsView runs;
    private final ServerView server;

    Dashboard(ModelRepository repo, ServingMetrics metrics, BooleanSupplier ready) {
        this.models = new ModelsView(repo, ready);
        this.runs = new RunsView(repo.root());
        this.server = new ServerView(metrics, ready);
    }

    static boolean handles(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /** The page's files: everything under {@code /ui} but the API. */
    static boolean isFile(String path) {
        return handles(path) && !path.startsWith(API);
    }

    HttpReply reply(String method, String path, String ifNoneMatch) {
        if (!method.equals("GET")) {
            throw new Router.MethodNotAllowed(method, "GET");
        }
        if (path.equals(PREFIX)) {
            // Relative links in the page resolve against /ui/, not /.
            return HttpReply.text(308, "", "text/plain; charset=utf-8").withHeader("Location", PREFIX + "/");
        }
        if (!path.startsWith(API)) {
            return files.get(path.substring(PREFIX.length() + 1), ifNoneMatch);
        }
        String rest = path.substring(API.length());
        try {
            if (rest.equals("models")) {
                return HttpReply.ok(models.models());
            }
            if (rest.equals("server")) {
                return HttpReply.ok(server.server());
            }
            if (rest.equals("runs")) {
                return HttpReply.ok(runs.list());
            }
            if (rest.startsWith("runs/") && rest.indexOf('/', 5) < 0) {
                String id = rest.substring(5);
                return runs.run(id).map(HttpReply::ok).orElseThrow(() -> new ApiException(404, "run '"
                        + (id.length() > 80 ? id.substring(0, 80) + "..." : id) + "' not found (expected: an id from /ui/api/runs)"));
            }
        } catch (IOException e) {
            throw new ApiException(500, "run records: " + e.getMessage());
        }
        throw new ApiException(404, "path '" + path + "' not found (expected: " + API
                + "models, runs, runs/{id} or server)");
    }
}
