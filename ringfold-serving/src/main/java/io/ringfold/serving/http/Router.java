package io.ringfold.serving.http;

import io.ringfold.serving.core.Failure;
import io.ringfold.serving.inference.InferenceCall;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.RepositoryNames;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * Maps a request (method, path, body) to its handler and every failure to a status: bad input 400, unknown
 * model, version, label or path 404, wrong method 405 (with {@code Allow}), full queue 503 with
 * {@code Retry-After}, anything unexpected 500. Independent of Netty, so it is tested directly.
 */
public final class Router {

    private static final System.Logger LOG = System.getLogger(Router.class.getName());

    private final ModelRepository repo;
    private final ServingMetrics metrics;
    private final BooleanSupplier ready;
    private final Executor admin;
    private final TfServingApi tf;
    private final InferenceProtocolApi v2;
    private final Dashboard dashboard;
    private final Exposure exposure;
    private final IntSupplier adminPort;

    /**
     * Which paths a port serves. With one HTTP port it serves them all; with an admin port ({@code --admin-port})
     * the repository API ({@code /v2/repository/...}) and {@code /metrics} are served there only, and the public
     * port answers them 404 naming the admin port. Both serve the health probes.
     */
    public enum Exposure {
        /** Every path: the only HTTP port. */
        ALL,
        /** Everything but the admin paths: the public port beside an admin port. */
        PUBLIC,
        /** The admin paths and the health probes only. */
        ADMIN
    }

    /**
     * Every path, on the server's only HTTP port.
     *
     * @param ready whether the server takes traffic (false while starting and draining)
     * @param admin where repository loads and unloads, and the dashboard's API, run, off the network threads
     */
    public Router(ModelRepository repo, ServingMetrics metrics, BooleanSupplier ready, Executor admin) {
        this(repo, metrics, ready, admin, Exposure.ALL, () -> -1, null);
    }

    /**
     * The paths of {@code exposure}; {@code adminPort} is the admin port's number, named in the public port's 404
     * for an admin path (read when such a request comes, so it may be bound after this router is made); {@code jobs}
     * the dashboard's link to a training job service (null: none).
     */
    public Router(ModelRepository repo, ServingMetrics metrics, BooleanSupplier ready, Executor admin,
                  Exposure exposure, IntSupplier adminPort, io.ringfold.serving.dashboard.JobsLink jobs) {
        this.exposure = exposure;
        this.adminPort = adminPort;
        this.repo = repo;
        this.metrics = metrics;
        this.ready = ready;
        this.admin = admin;
        this.tf = new TfServingApi(repo);
        this.v2 = new InferenceProtocolApi(repo);
        this.dashboard = new Dashboard(repo, metrics, ready, jobs);
    }

    /**
     * The header of Triton's binary tensor data extension: the length of the JSON that starts the body, binary
     * tensor data following it.
     */
    public static final String INFERENCE_HEADER_LENGTH = "Inference-Header-Content-Length";

    /** The response to a request; never completes exceptionally. */
    public CompletableFuture<HttpReply> route(String method, String path, byte[] body) {
        return route(method, path, body, null, null);
    }

    /**
     * As above, with the request's {@code If-None-Match} header (or null), which the dashboard's files honour,
     * and its {@value #INFERENCE_HEADER_LENGTH} header (or null).
     */
    public CompletableFuture<HttpReply> route(String method, String path, byte[] body, String ifNoneMatch,
                                              String jsonHeaderLength) {
        CompletableFuture<HttpReply> f;
        try {
            if (exposure != Exposure.ALL && isAdminPath(path) != (exposure == Exposure.ADMIN) && !isHealth(path)) {
                f = CompletableFuture.failedFuture(exposure == Exposure.ADMIN
                        ? new ApiException(404, "path '" + path + "' not found on the admin port (expected: /metrics,"
                        + " /v2/repository/..., /v2/health/...; everything else is on the public port)")
                        : new ApiException(404, "path '" + path + "' not found on this port (expected: the admin port "
                        + adminPort.getAsInt() + ", where /metrics and /v2/repository/... are served)"));
            } else if (!Dashboard.handles(path)) {
                f = dispatch(method, path, body, jsonHeaderLength);
            } else if (Dashboard.isFile(path)) {
                f = done(dashboard.reply(method, path, ifNoneMatch));
            } else if (Dashboard.isJobs(path)) {
                f = dashboard.jobs(method, path, body);
            } else {
                // The dashboard's API reads run records and model files: off the network threads, like loads.
                f = CompletableFuture.supplyAsync(() -> dashboard.reply(method, path, ifNoneMatch), admin);
            }
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.exceptionally(Router::failure);
    }

    /** The repository API and the metrics: what {@code --admin-port} keeps off the public port. */
    static boolean isAdminPath(String path) {
        return path.equals("/metrics") || path.startsWith("/v2/repository/");
    }

    private static boolean isHealth(String path) {
        return path.equals("/v2/health/live") || path.equals("/v2/health/ready");
    }

    static HttpReply failure(Throwable t) {
        Throwable e = Failure.unwrap(t);
        if (e instanceof ApiException a) {
            return HttpReply.error(a.status(), a.getMessage());
        }
        if (e instanceof MethodNotAllowed m) {
            return HttpReply.error(405, m.getMessage()).withHeader("Allow", m.allowed);
        }
        Failure kind = Failure.of(e);
        if (kind == Failure.UNAVAILABLE) {
            // A full queue, a version retired between lookup and queueing, a stopping server: the client may retry.
            return HttpReply.error(503, e.getMessage()).withHeader("Retry-After", "1");
        }
        if (kind != Failure.INTERNAL) {
            return HttpReply.error(kind.httpStatus(), e.getMessage());
        }
        LOG.log(System.Logger.Level.ERROR, "unexpected failure", e);
        return HttpReply.error(500, "internal error: " + e);
    }

    private CompletableFuture<HttpReply> dispatch(String method, String path, byte[] body, String jsonHeaderLength) {
        if (path.equals("/metrics")) {
            allow(method, "GET");
            return done(HttpReply.text(200, metrics.scrape(), "text/plain; version=0.0.4; charset=utf-8"));
        }
        if (path.equals("/v2/health/live")) {
            allow(method, "GET");
            return done(HttpReply.ok(Json.MAPPER.createObjectNode().put("live", true)));
        }
        if (path.equals("/v2/health/ready")) {
            allow(method, "GET");
            boolean r = ready.getAsBoolean();
            return done(HttpReply.json(r ? 200 : 503, Json.MAPPER.createObjectNode().put("ready", r)));
        }
        if (path.equals("/v2") || path.equals("/v2/")) {
            allow(method, "GET");
            return done(v2.serverMetadata());
        }
        if (path.equals("/v2/repository/index")) {
            allow(method, "POST");
            return done(v2.index(body));
        }
        if (path.startsWith("/v2/repository/models/")) {
            return repository(method, path.substring("/v2/repository/models/".length()));
        }
        if (path.equals("/v2/models/stats")) {
            allow(method, "GET");
            return done(v2.stats(null));
        }
        if (path.startsWith("/v2/models/")) {
            return v2Model(method, path.substring("/v2/models/".length()), body, jsonHeaderLength);
        }
        if (path.startsWith("/v1/models/")) {
            return v1Model(method, path.substring("/v1/models/".length()), body);
        }
        throw new ApiException(404, "path '" + path + "' not found (expected: /v1/models/..., /v2/..., /metrics, /ui/)");
    }

    private CompletableFuture<HttpReply> repository(String method, String rest) {
        String[] seg = rest.split("/", -1);
        if (seg.length != 2 || !(seg[1].equals("load") || seg[1].equals("unload"))) {
            throw new ApiException(404, "path '/v2/repository/models/" + rest + "' not found (expected: .../{model}/load or /unload)");
        }
        allow(method, "POST");
        String model = modelName(seg[0]);
        boolean load = seg[1].equals("load");
        return CompletableFuture.supplyAsync(() -> {
            if (load) {
                repo.load(model);
            } else {
                repo.unload(model);
            }
            return HttpReply.ok(Json.MAPPER.createObjectNode());
        }, admin);
    }

    private CompletableFuture<HttpReply> v2Model(String method, String rest, byte[] body, String jsonHeaderLength) {
        String[] seg = rest.split("/", -1);
        String model = modelName(seg[0]);
        int i = 1;
        Long version = null;
        if (seg.length >= 3 && seg[1].equals("versions")) {
            version = version(seg[2]);
            i = 3;
        }
        InferenceCall.Target t = new InferenceCall.Target(model, version, null);
        if (seg.length == i) {
            allow(method, "GET");
            return done(v2.modelMetadata(t));
        }
        if (seg.length == i + 1 && seg[i].equals("ready")) {
            allow(method, "GET");
            return done(v2.modelReady(t, ready.getAsBoolean()));
        }
        if (seg.length == i + 1 && seg[i].equals("infer")) {
            allow(method, "POST");
            repo.resolve(model, version, null); // an unknown model or version is 404 before the body is read
            return v2.infer(t, body, jsonHeaderLength);
        }
        if (seg.length == i + 1 && seg[i].equals("config")) {
            allow(method, "GET");
            return done(v2.config(t));
        }
        if (seg.length == i + 1 && seg[i].equals("stats")) {
            allow(method, "GET");
            return done(v2.stats(t));
        }
        throw new ApiException(404, "path '/v2/models/" + rest + "' not found (expected: /v2/models/{model}[/versions/{v}]"
                + "[/ready|/infer|/config|/stats])");
    }

    private CompletableFuture<HttpReply> v1Model(String method, String rest, byte[] body) {
        String verb = null;
        int colon = rest.lastIndexOf(':');
        if (colon >= 0 && rest.indexOf('/', colon) < 0) {
            verb = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String[] seg = rest.split("/", -1);
        String model = modelName(seg[0]);
        int i = 1;
        Long version = null;
        String label = null;
        if (seg.length >= 3 && seg[1].equals("versions")) {
            version = version(seg[2]);
            i = 3;
        } else if (seg.length >= 3 && seg[1].equals("labels")) {
            label = seg[2];
            i = 3;
        }
        InferenceCall.Target t = new InferenceCall.Target(model, version, label);
        boolean metadata = seg.length == i + 1 && seg[i].equals("metadata");
        if (seg.length != i && !metadata) {
            throw new ApiException(404, "path '/v1/models/" + rest + "' not found (expected: /v1/models/{model}"
                    + "[/versions/{v}|/labels/{l}][/metadata|:predict|:classify|:regress])");
        }
        if (verb == null) {
            allow(method, "GET");
            return done(metadata ? tf.metadata(t) : tf.status(t));
        }
        if (metadata) {
            throw new ApiException(404, "path '/v1/models/" + rest + ":" + verb + "' not found");
        }
        if (method.equals("POST")) {
            repo.resolve(model, version, label); // an unknown model, version or label is 404 before the body is read
        }
        switch (verb) {
            case "predict" -> {
                allow(method, "POST");
                return tf.predict(t, body);
            }
            case "classify", "regress" -> {
                allow(method, "POST");
                return tf.classifyOrRegress(t, body, verb.equals("classify"));
            }
            default -> throw new ApiException(404, "method ':" + verb + "' not found (expected: :predict, :classify or :regress)");
        }
    }

    private static String modelName(String s) {
        return RepositoryNames.requireModelName(s);
    }

    private static Long version(String s) {
        return RepositoryNames.requireVersion(s);
    }

    private static void allow(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new MethodNotAllowed(method, allowed);
        }
    }

    private static CompletableFuture<HttpReply> done(HttpReply r) {
        return CompletableFuture.completedFuture(r);
    }

    /** 405 with the {@code Allow} header. */
    static final class MethodNotAllowed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String allowed;

        MethodNotAllowed(String method, String allowed) {
            super("method " + method + " not allowed (expected: " + allowed + ")");
            this.allowed = allowed;
        }
    }
}
