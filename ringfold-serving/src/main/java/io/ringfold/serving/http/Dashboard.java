package io.ringfold.serving.http;

import io.ringfold.serving.dashboard.JobsLink;
import io.ringfold.serving.dashboard.JobsView;
import io.ringfold.serving.dashboard.ModelsView;
import io.ringfold.serving.dashboard.RunsView;
import io.ringfold.serving.dashboard.ServerView;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The results dashboard under {@code /ui}: the page's files ({@link StaticResources}) and its JSON API,
 * all {@code GET}:
 * <ul>
 *   <li>{@code /ui/api/models}: models, versions, state, labels, evaluation, provenance ({@link ModelsView});</li>
 *   <li>{@code /ui/api/runs}: the run records under the repository, newest first ({@link RunsView});</li>
 *   <li>{@code /ui/api/runs/{id}}: one run with its epochs, telemetry and confusion matrix;</li>
 *   <li>{@code /ui/api/server}: requests, latency percentiles and batch sizes ({@link ServerView});</li>
 *   <li>{@code /ui/api/jobs}: the training job service's jobs, and {@code POST} to submit one; {@code /ui/api/jobs/{id}}
 *   one job with its epochs and log tail, {@code POST /ui/api/jobs/{id}/cancel} ({@link JobsView}; 404 when the
 *   server was started without {@code --jobs-server}).</li>
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
    private final JobsView jobs; // null without a job service

    Dashboard(ModelRepository repo, ServingMetrics metrics, BooleanSupplier ready, JobsLink jobs) {
        this.models = new ModelsView(repo, ready);
        this.runs = new RunsView(repo.root());
        this.server = new ServerView(metrics, ready);
        this.jobs = jobs == null ? null : new JobsView(jobs);
    }

    static boolean handles(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /** The page's files: everything under {@code /ui} but the API. */
    static boolean isFile(String path) {
        return handles(path) && !path.startsWith(API);
    }

    /** Whether {@code path} is the job service's part of the API, answered by {@link #jobs}. */
    static boolean isJobs(String path) {
        return path.equals(JOBS) || path.startsWith(JOBS + "/");
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
                + "models, runs, runs/{id}, server or jobs)");
    }

    private static final String JOBS = API + "jobs";
    private static final Pattern JOB = Pattern.compile("^/([0-9]{1,18})(/cancel)?$");

    /** The job service's answer for the page, asynchronously (see {@link JobsView}). */
    CompletableFuture<HttpReply> jobs(String method, String path, byte[] body) {
        String rest = path.substring(JOBS.length());
        if (jobs == null) {
            throw new ApiException(404, "jobs: this server has no job service (expected: serve --jobs-server URL)");
        }
        CompletableFuture<JobsView.Reply> r;
        if (rest.isEmpty()) {
            r = switch (method) {
                case "GET" -> jobs.list();
                case "POST" -> jobs.submit(body);
                default -> throw new Router.MethodNotAllowed(method, "GET, POST");
            };
        } else {
            Matcher m = JOB.matcher(rest);
            if (!m.matches()) {
                throw new ApiException(404, "path '" + JOBS + rest + "' not found (expected: " + JOBS + ", " + JOBS
                        + "/{id} or " + JOBS + "/{id}/cancel)");
            }
            long id = Long.parseLong(m.group(1));
            String allowed = m.group(2) == null ? "GET" : "POST";
            if (!method.equals(allowed)) {
                throw new Router.MethodNotAllowed(method, allowed);
            }
            r = m.group(2) == null ? jobs.job(id) : jobs.cancel(id);
        }
        return r.thenApply(reply -> HttpReply.json(reply.status(), reply.body()));
    }
}
