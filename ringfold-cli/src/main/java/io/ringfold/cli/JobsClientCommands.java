package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** The job service's client commands: each one HTTP call (or a followed log) to {@code --server}. */
final class JobsClientCommands {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JobsClientCommands() {
    }

    /** A token file's token: its text without surrounding whitespace, refused when empty. */
    static String token(Path file) throws IOException {
        String t = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (t.isEmpty()) {
            throw new IllegalArgumentException("--auth-token-file: " + file + " is empty (expected: the token)");
        }
        return t;
    }

    /** Where the service is and how to authenticate, shared by every client command. */
    static final class Server {
        @Option(names = "--server", paramLabel = "URL", description = "The job service (default: http://127.0.0.1:8600).")
        String url = "http://127.0.0.1:8600";

        @Option(names = "--auth-token-file", paramLabel = "FILE", description = "The service's bearer token.")
        Path tokenFile;

        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        HttpRequest.Builder request(String path) throws IOException {
            URI uri;
            try {
                uri = URI.create(url.replaceAll("/+$", "") + path);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--server: " + url + " (expected: a URL such as http://host:8600)");
            }
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
            if (tokenFile != null) {
                b.header("Authorization", "Bearer " + token(tokenFile));
            }
            return b;
        }

        /** The reply's JSON; a refusal as its one-line error, an unreachable service as what was tried. */
        JsonNode call(HttpRequest request) throws IOException, InterruptedException {
            HttpResponse<String> r = send(request, HttpResponse.BodyHandlers.ofString());
            JsonNode body;
            try {
                body = JSON.readTree(r.body());
            } catch (IOException e) {
                throw new IllegalStateException(request.uri() + ": HTTP " + r.statusCode() + " with a body that is not JSON");
            }
            if (r.statusCode() >= 400) {
                throw new IllegalStateException(body.path("error").asText("HTTP " + r.statusCode())
                        + (r.statusCode() == 503 ? r.headers().firstValue("Retry-After")
                        .map(s -> " (retry after " + s + " s)").orElse("") : ""));
            }
            return body;
        }

        <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
                throws IOException, InterruptedException {
            try {
                return http.send(request, handler);
            } catch (java.net.ConnectException e) {
                throw new IllegalStateException("cannot reach the job service at " + url + " (expected: ringfold jobs "
                        + "serve listening there)");
            }
        }

        /** How long a followed log may stay silent: the service sends a line or a keep-alive every 15 s. */
        static final Duration SILENCE = Duration.ofSeconds(45);

        /**
         * Prints the job's log from line 0, following it to its end; returns the job as it ended. A stream that goes
         * silent for {@link #SILENCE} (a half-open connection) or ends before the job does (a restarted service) is
         * followed again from the next line, so the wait never hangs and loses nothing.
         */
        JsonNode follow(long id, PrintWriter out) throws IOException, InterruptedException {
            long next = 0;
            while (true) {
                HttpRequest req = request("/api/v1/jobs/" + id + "/logs?follow=true&from=" + next)
                        .timeout(Duration.ofDays(365)).header("Accept", "text/event-stream").GET().build();
                HttpResponse<java.io.InputStream> r = send(req, HttpResponse.BodyHandlers.ofInputStream());
                if (r.statusCode() != 200) {
                    r.body().close();
                    throw new IllegalStateException("logs of job " + id + ": HTTP " + r.statusCode());
                }
                java.util.concurrent.atomic.AtomicLong lastHeard = new java.util.concurrent.atomic.AtomicLong(System.nanoTime());
                java.util.concurrent.ScheduledExecutorService watchdog = java.util.concurrent.Executors
                        .newSingleThreadScheduledExecutor(runnable -> {
                            Thread t = new Thread(runnable, "ringfold-jobs-follow-watchdog");
                            t.setDaemon(true);
                            return t;
                        });
                boolean ended = false;
                try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(r.body(),
                        StandardCharsets.UTF_8))) {
                    watchdog.scheduleAtFixedRate(() -> {
                        if (System.nanoTime() - lastHeard.get() > SILENCE.toNanos()) {
                            try {
                                lines.close();
                            } catch (IOException e) {
                                // Closing is all that is wanted: the reader fails and the log is followed again.
                            }
                        }
                    }, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
                    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                        lastHeard.set(System.nanoTime());
                        if (line.startsWith("id: ")) {
                            next = Long.parseLong(line.substring(4).strip()) + 1;
                        } else if (line.startsWith("data: ")) {
                            out.println(line.substring(6));
                            out.flush();
                        } else if (line.startsWith("event: end")) {
                            ended = true;
                            break;
                        }
                    }
                } catch (IOException e) {
                    // Silent too long, or the connection broke: follow again from the next line.
                } finally {
                    watchdog.shutdownNow();
                }
                JsonNode job = call(request("/api/v1/jobs/" + id).GET().build());
                if (ended) {
                    return job;
                }
                Thread.sleep(250);
            }
        }
    }

    static String describe(JsonNode job) {
        JsonNode p = job.path("progress");
        return "job " + job.path("id").asLong() + " " + job.path("spec").path("name").asText() + ": "
                + job.path("state").asText()
                + (p.path("epochs").asInt() > 0 ? ", epoch " + p.path("epoch").asInt() + "/" + p.path("epochs").asInt() : "")
                + (job.has("reason") ? " (" + job.path("reason").asText() + ")" : "")
                + (job.has("published_version") ? ", published " + job.path("spec").path("publish").asText()
                + " version " + job.path("published_version").asLong() : "");
    }

    @Command(name = "submit", mixinStandardHelpOptions = true, description = "Submit a job: jobs submit [--name N] "
            + "[--publish MODEL] [--wait] -- train ARGS... (or -- preprocess ARGS..., a preprocess job whose stored "
            + "preprocessing train jobs reference as --preprocessing job:ID); prints the job id.")
    static final class Submit implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        Server server;
        @Option(names = "--name", description = "The job's name (default: the command, train or preprocess).")
        String name;
        @Option(names = "--publish", paramLabel = "MODEL", description = "Publish the model as the next version of MODEL.")
        String publish;
        @Option(names = "--engine", description = "local (default), launch or spark.")
        String engine = "local";
        @Option(names = "--workers", description = "Data-parallel workers.")
        Integer workers;
        @Option(names = "--nproc", description = "Processes for --engine launch.")
        Integer nproc;
        @Option(names = "--wait", description = "Follow the job's log to its end; exit 0 when it succeeded, 1 otherwise.")
        boolean await;
        @Parameters(paramLabel = "-- train|preprocess ...", description = "The train (or preprocess) command the job runs.")
        List<String> command = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            if (command.isEmpty() || !command.get(0).equals("train") && !command.get(0).equals("preprocess")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "command: " + command
                        + " (expected: -- train ... or -- preprocess ...)");
            }
            ObjectNode body = JSON.createObjectNode();
            body.put("name", name != null ? name : command.get(0));
            body.put("type", command.get(0));
            body.put("engine", engine);
            command.subList(1, command.size()).forEach(body.putArray("arguments")::add);
            if (publish != null) {
                body.put("publish", publish);
            }
            if (workers != null) {
                body.put("workers", workers);
            }
            if (nproc != null) {
                body.put("nproc", nproc);
            }
            JsonNode job = server.call(server.request("/api/v1/jobs").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
            PrintWriter out = spec.commandLine().getOut();
            long id = job.path("id").asLong();
            out.println(id);
            out.flush();
            if (!await) {
                return 0;
            }
            JsonNode end = server.follow(id, out);
            out.println(describe(end));
            return "SUCCEEDED".equals(end.path("state").asText()) ? 0 : 1;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List jobs, newest first.")
    static final class ListJobs implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        Server server;
        @Option(names = "--state", description = "States, comma-separated (QUEUED,RUNNING,SUCCEEDED,FAILED,CANCELLED).")
        String state;
        @Option(names = "--name", description = "Name prefix.")
        String name;
        @Option(names = "--limit", description = "At most this many (default: 100).")
        Integer limit;
        @Option(names = "--json", description = "Print the API's JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            List<String> q = new ArrayList<>();
            if (state != null) {
                q.add("state=" + URLEncoder.encode(state, StandardCharsets.UTF_8));
            }
            if (name != null) {
                q.add("name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
            }
            if (limit != null) {
                q.add("limit=" + limit);
            }
            JsonNode r = server.call(server.request("/api/v1/jobs" + (q.isEmpty() ? "" : "?" + String.join("&", q)))
                    .GET().build());
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(r);
            } else {
                r.path("jobs").forEach(j -> out.println(describe(j)));
            }
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "A job's state, progress and result.")
    static final class Status implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        Server server;
        @Parameters(paramLabel = "ID")
        long id;
        @Option(names = "--json", description = "Print the API's JSON.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            JsonNode job = server.call(server.request("/api/v1/jobs/" + id).GET().build());
            spec.commandLine().getOut().println(json ? job.toString() : describe(job));
            return 0;
        }
    }

    @Command(name = "logs", mixinStandardHelpOptions = true, description = "A job's log; --follow to its end.")
    static final class Logs implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        Server server;
        @Parameters(paramLabel = "ID")
        long id;
        @Option(names = "--follow", description = "Follow the log until the job ends.")
        boolean follow;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            if (follow) {
                server.follow(id, out);
                return 0;
            }
            long from = 0;
            while (true) {
                JsonNode page = server.call(server.request("/api/v1/jobs/" + id + "/logs?from=" + from).GET().build());
                page.path("lines").forEach(l -> out.println(l.asText()));
                if (page.path("lines").isEmpty()) {
                    return 0;
                }
                from = page.path("next").asLong();
            }
        }
    }

    /** {@code POST /api/v1/jobs/ID/ACTION}, printing the job as it is afterwards. */
    private static int act(Server server, picocli.CommandLine.Model.CommandSpec spec, long id, String action)
            throws IOException, InterruptedException {
        JsonNode job = server.call(server.request("/api/v1/jobs/" + id + "/" + action)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
        spec.commandLine().getOut().println(describe(job));
        return 0;
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a queued or running job.")
    static final class Cancel implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        Server server;
        @Parameters(paramLabel = "ID")
        long id;

        @Override
        public Integer call() throws Exception {
            return act(server, spec, id, "cancel");
        }
    }

    @Command(name = "retry", mixinStandardHelpOptions = true, description = "Queue a failed or cancelled job again.")
    static final class Retry implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;
        @Mixin
        Server server;
        @Parameters(paramLabel = "ID")
        long id;

        @Override
        public Integer call() throws Exception {
            return act(server, spec, id, "retry");
        }
    }
}
