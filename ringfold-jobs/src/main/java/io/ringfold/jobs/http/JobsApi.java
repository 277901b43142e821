package io.ringfold.jobs.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ringfold.jobs.Engine;
import io.ringfold.jobs.Job;
import io.ringfold.jobs.JobSpec;
import io.ringfold.jobs.JobState;
import io.ringfold.jobs.service.JobService;
import io.ringfold.jobs.service.QueueFullException;
import io.ringfold.jobs.store.JobQuery;
import io.ringfold.jobs.store.JobStateException;
import io.ringfold.jobs.store.LogPage;
import io.ringfold.jobs.store.UnknownJobException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /api/v1/jobs} over HTTP. Requests are served by a bounded pool (a full pool answers 503); bodies are
 * read up to {@link #MAX_BODY_BYTES} and refused beyond it before more is read; log followers are limited
 * ({@link #MAX_FOLLOWERS}) since each holds a thread while its job runs.
 */
public final class JobsApi implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A job spec is at most 64 KiB of arguments; a body beyond 1 MiB is not one. */
    public static final int MAX_BODY_BYTES = 1 << 20;
    public static final int MAX_FOLLOWERS = 8;
    private static final int THREADS = 16;
    private static final Pattern JOB = Pattern.compile("^/api/v1/jobs/([0-9]{1,18})(/logs|/epochs|/cancel|/retry)?$");

    private final JobService service;
    private final byte[] token;
    private final HttpServer server;
    private final ThreadPoolExecutor pool;
    private final Semaphore followers = new Semaphore(MAX_FOLLOWERS);
    private final JobsMetrics metrics;

    static {
        // A client that stalls in the middle of its request is cut off after 30 s instead of holding a thread; the
        // JDK's server reads this once, when it is first used. (Responses have no such limit: logs are followed.)
        if (System.getProperty("sun.net.httpserver.maxReqTime") == null) {
            System.setProperty("sun.net.httpserver.maxReqTime", "30");
        }
    }

    private JobsApi(JobService service, String host, int port, String token) throws IOException {
        this.service = service;
        this.metrics = new JobsMetrics(service);
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
        this.pool = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64),
                (r, executor) -> { throw new java.util.concurrent.RejectedExecutionException("busy"); });
        this.server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.setExecutor(pool);
        server.createContext("/", this::handle);
    }

    /** Serves {@code service} on {@code host:port} (0: any free port); {@code token} null for no authentication. */
    public static JobsApi start(JobService service, String host, int port, String token) throws IOException {
        JobsApi api = new JobsApi(service, host, port, token);
        api.server.start();
        return api;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            answer(ex);
        } finally {
            discardUnread(ex);
            ex.close();
        }
    }

    /** Bytes of a refused body read and dropped after the reply, at most: beyond it the connection is just closed. */
    private static final long DISCARD_LIMIT = 64L << 20;

    /**
     * Reads and drops what the client still sends of a body refused unread (413): closing a socket with input
     * pending makes TCP reset it, which can destroy the reply before the client reads it. No memory is committed
     * to it (a small buffer), and at most {@link #DISCARD_LIMIT} bytes are read.
     */
    private static void discardUnread(HttpExchange ex) {
        try (InputStream in = ex.getRequestBody()) {
            byte[] sink = new byte[8192];
            long left = DISCARD_LIMIT;
            for (int n = in.read(sink); n > 0 && left > 0; n = in.read(sink)) {
                left -= n;
            }
        } catch (IOException e) {
            // The client went away: nothing left to protect.
        }
    }

    /** The exchange answered, every refusal with its status and one line (the exchange stays open for it). */
    private void answer(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (path.equals("/api/v1/openapi.yaml") && method.equals("GET")) {
                openApi(ex);
                return;
            }
            if (!authorized(ex)) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Bearer realm=\"ringfold-jobs\"");
                error(ex, 401, "authorization: " + (ex.getRequestHeaders().getFirst("Authorization") == null ? "missing"
                        : "wrong token") + " (expected: Authorization: Bearer TOKEN, the service's --auth-token-file)");
                return;
            }
            route(ex, method, path);
        } catch (ApiError e) {
            error(ex, e.status, e.getMessage());
        } catch (UnknownJobException e) {
            error(ex, 404, e.getMessage());
        } catch (JobStateException e) {
            error(ex, 409, e.getMessage());
        } catch (QueueFullException e) {
            ex.getResponseHeaders().add("Retry-After", Integer.toString(e.retryAfterSeconds()));
            error(ex, 503, e.getMessage());
        } catch (IllegalArgumentException e) {
            error(ex, 400, e.getMessage());
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) {
            error(ex, 500, "internal error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private void route(HttpExchange ex, String method, String path) throws IOException {
        if (path.equals("/api/v1/jobs")) {
            switch (method) {
                case "POST" -> submitCounted(ex);
                case "GET" -> list(ex);
                default -> notAllowed("GET, POST");
            }
            return;
        }
        if (path.equals("/metrics")) {
            requireMethod(method, "GET");
            byte[] b = metrics.scrape().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", io.ringfold.telemetry.RuntimeMetrics.CONTENT_TYPE);
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
            return;
        }
        Matcher m = JOB.matcher(path);
        if (!m.matches()) {
            throw new ApiError(404, "path: " + path + " (expected: /api/v1/jobs, /api/v1/jobs/ID, /api/v1/jobs/ID/logs, "
                    + "/api/v1/jobs/ID/epochs, /api/v1/jobs/ID/cancel, /api/v1/jobs/ID/retry or /metrics)");
        }
        long id = Long.parseLong(m.group(1));
        String action = m.group(2) == null ? "" : m.group(2);
        switch (action) {
            case "" -> {
                requireMethod(method, "GET");
                reply(ex, 200, service.get(id).orElseThrow(() -> unknown(id)).toJson());
            }
            case "/logs" -> {
                requireMethod(method, "GET");
                service.get(id).orElseThrow(() -> unknown(id));
                logs(ex, id);
            }
            case "/epochs" -> {
                requireMethod(method, "GET");
                ObjectNode out = JSON.createObjectNode();
                out.put("id", id);
                ArrayNode epochs = out.putArray("epochs");
                service.epochs(id).forEach(p -> epochs.add(p.toJson()));
                reply(ex, 200, out);
            }
            case "/cancel" -> {
                requireMethod(method, "POST");
                reply(ex, 200, service.cancel(id).toJson());
            }
            default -> {
                requireMethod(method, "POST");
                reply(ex, 200, service.retry(id).toJson());
            }
        }
    }

    private static UnknownJobException unknown(long id) {
        return new UnknownJobException(id);
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            notAllowed(allowed);
        }
    }

    private static void notAllowed(String allowed) {
        throw new ApiError(405, "method not allowed (expected: " + allowed + ")");
    }

    /** {@link #submit}, counted in {@code ringfold_job_submissions_total} by outcome. */
    private void submitCounted(HttpExchange ex) throws IOException {
        try {
            submit(ex);
            metrics.submitted("accepted");
        } catch (QueueFullException e) {
            metrics.submitted("queue_full");
            throw e;
        } catch (IllegalArgumentException | ApiError e) {
            metrics.submitted("invalid");
            throw e;
        }
    }

    /** {@code {"name": ..., "engine": "local", "arguments": [...], "publish": ..., "workers": N}}; type train by default. */
    private void submit(HttpExchange ex) throws IOException {
        JsonNode body;
        try {
            body = JSON.readTree(body(ex));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("job spec: not JSON (" + e.getOriginalMessage() + ")");
        }
        if (!(body instanceof ObjectNode spec)) {
            throw new IllegalArgumentException("job spec: " + (body == null ? "empty" : body.getNodeType().toString()
                    .toLowerCase(java.util.Locale.ROOT)) + " (expected: a JSON object)");
        }
        if (spec.has("submitted_by")) {
            throw new IllegalArgumentException("submitted_by: given (expected: none; the service records who submitted)");
        }
        if (!spec.has("type")) {
            spec.put("type", "train");
        }
        if (!spec.has("engine")) {
            spec.put("engine", Engine.LOCAL.id());
        }
        spec.put("submitted_by", token == null ? "anonymous" : "token");
        Job job = service.submit(JobSpec.fromJson(spec));
        ex.getResponseHeaders().add("Location", "/api/v1/jobs/" + job.id());
        reply(ex, 201, job.toJson());
    }

    private void list(HttpExchange ex) throws IOException {
        Map<String, String> q = query(ex);
        JobQuery query = JobQuery.all();
        for (Map.Entry<String, String> e : q.entrySet()) {
            query = switch (e.getKey()) {
                case "state" -> {
                    EnumSet<JobState> states = EnumSet.noneOf(JobState.class);
                    for (String s : e.getValue().split(",")) {
                        states.add(JobState.fromId(s.trim()));
                    }
                    yield query.withStates(states);
                }
                case "name" -> query.withNamePrefix(e.getValue());
                case "engine" -> query.withEngine(Engine.fromId(e.getValue()));
                case "limit" -> query.withLimit(integer("limit", e.getValue()));
                default -> throw new IllegalArgumentException("query parameter: " + e.getKey()
                        + " (expected: state, name, engine or limit)");
            };
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode jobs = out.putArray("jobs");
        service.list(query).forEach(j -> jobs.add(j.toJson()));
        reply(ex, 200, out);
    }

    /**
     * {@code ?from=N&max=M}: a page of lines as JSON; {@code ?follow=true} (or {@code Accept: text/event-stream}):
     * Server-Sent Events, each line an event with its number as id, until the job finishes ({@code event: end}).
     */
    private void logs(HttpExchange ex, long id) throws IOException {
        Map<String, String> q = query(ex);
        long from = q.containsKey("from") ? integer("from", q.get("from")) : 0;
        int max = q.containsKey("max") ? integer("max", q.get("max")) : 1000;
        if (max < 1 || max > 10_000) {
            throw new IllegalArgumentException("max: " + max + " (expected: 1 to 10000 lines)");
        }
        if (q.containsKey("tail")) {
            if (q.containsKey("from")) {
                throw new IllegalArgumentException("tail and from: both given (expected: one of them)");
            }
            int tail = integer("tail", q.get("tail"));
            if (tail < 1 || tail > 10_000) {
                throw new IllegalArgumentException("tail: " + tail + " (expected: 1 to 10000 lines)");
            }
            if (!"true".equals(q.get("follow"))) {
                reply(ex, 200, page(service.logTail(id, tail)));
                return;
            }
            throw new IllegalArgumentException("tail and follow: both given (expected: tail for the last lines, or "
                    + "from and follow)");
        }
        String accept = ex.getRequestHeaders().getFirst("Accept");
        boolean follow = "true".equals(q.get("follow")) || accept != null && accept.contains("text/event-stream");
        if (!follow) {
            reply(ex, 200, page(service.logs(id, from, max)));
            return;
        }
        if (!followers.tryAcquire()) {
            ex.getResponseHeaders().add("Retry-After", "5");
            throw new ApiError(503, "log followers: " + MAX_FOLLOWERS + " already (expected: fewer; page with ?from=N instead)");
        }
        try {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().add("Cache-Control", "no-cache");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            long next = from;
            long lastWrite = System.nanoTime();
            while (true) {
                LogPage page = service.logs(id, next, 1000);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < page.lines().size(); i++) {
                    sb.append("id: ").append(page.first() + i).append('\n').append("data: ")
                            .append(page.lines().get(i).replace("\r", "").replace("\n", " ")).append("\n\n");
                }
                next = page.next();
                Job job = service.get(id).orElseThrow(() -> unknown(id));
                if (page.lines().isEmpty() && job.state().isFinished()) {
                    sb.append("event: end\ndata: ").append(job.state().name()).append("\n\n");
                }
                if (sb.length() > 0 || System.nanoTime() - lastWrite > TimeUnit.SECONDS.toNanos(15)) {
                    // A comment every 15 s when nothing happens, so a client that went away is noticed.
                    out.write((sb.length() > 0 ? sb.toString() : ": waiting\n\n").getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    lastWrite = System.nanoTime();
                }
                if (page.lines().isEmpty() && job.state().isFinished()) {
                    return;
                }
                if (page.lines().isEmpty()) {
                    Thread.sleep(250);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            followers.release();
        }
    }

    private static ObjectNode page(LogPage page) {
        ObjectNode out = JSON.createObjectNode();
        out.put("first", page.first());
        out.put("next", page.next());
        ArrayNode lines = out.putArray("lines");
        page.lines().forEach(lines::add);
        return out;
    }

    private static int integer(String name, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: an integer)");
        }
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new HashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String part : raw.split("&")) {
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            if (out.put(k, v) != null) {
                throw new IllegalArgumentException("query parameter: " + k + " given twice (expected: once)");
            }
        }
        return out;
    }

    /** The body, refused past {@link #MAX_BODY_BYTES} (by its declared length, or as it arrives). */
    private static byte[] body(HttpExchange ex) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null && declared.matches("[0-9]{1,18}") && Long.parseLong(declared) > MAX_BODY_BYTES) {
            throw new ApiError(413, "request body: " + declared + " bytes (expected: at most " + MAX_BODY_BYTES
                    + "; a job spec is small)");
        }
        InputStream in = ex.getRequestBody();
        byte[] b = in.readNBytes(MAX_BODY_BYTES + 1);
        if (b.length > MAX_BODY_BYTES) {
            throw new ApiError(413, "request body: more than " + MAX_BODY_BYTES + " bytes (expected: at most "
                    + MAX_BODY_BYTES + "; a job spec is small)");
        }
        return b;
    }

    private boolean authorized(HttpExchange ex) {
        if (token == null) {
            return true;
        }
        String h = ex.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(h.substring(7).trim().getBytes(StandardCharsets.UTF_8), token);
    }

    private void openApi(HttpExchange ex) throws IOException {
        try (InputStream in = JobsApi.class.getResourceAsStream("jobs-openapi.yaml")) {
            byte[] b = in.readAllBytes();
            ex.getResponseHeaders().add("Content-Type", "application/yaml");
            ex.sendResponseHeaders(200, b.length);
            ex.getResponseBody().write(b);
        }
    }

    private static void reply(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] b = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
    }

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("error", message);
        reply(ex, status, n);
    }

    @Override
    public void close() {
        server.stop(1);
        pool.shutdownNow();
    }

    /** A refusal with its status. */
    private static final class ApiError extends RuntimeException {
        final int status;

        ApiError(int status, String message) {
            super(message);
            this.status = status;
        }
    }
}
