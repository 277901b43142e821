package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.jobs.http.JobsApi;
import io.ringfold.jobs.service.JobService;
import io.ringfold.jobs.service.JobServiceConfig;
import io.ringfold.jobs.store.JdbcJobStore;
import io.ringfold.jobs.store.JobStores;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.dashboard.JobsLink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The training job service end to end, with real processes, a real store and a real inference server: a job
 * submitted from the CLI trains, is followed, and is published as the next version that the running server
 * serves without a restart; bad input gets one line and the right status before anything is queued; a running
 * job is cancelled and retried to the digest of an uninterrupted run; a service killed with SIGKILL mid-job and
 * restarted loses no record and finishes the job from its checkpoint, its orphaned training stopped.
 */
class JobsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path tmp;

    private record Service(JdbcJobStore store, JobService service, JobsApi api) implements AutoCloseable {
        String url() {
            return "http://127.0.0.1:" + api.port();
        }

        @Override
        public void close() {
            api.close();
            service.close();
            store.close();
        }
    }

    private Service service(int maxQueued, String token, boolean start) throws IOException {
        JdbcJobStore store = JobStores.openDataDir(tmp.resolve("data"));
        JobServiceConfig config = new JobServiceConfig(LaunchCommand.javaCommand(List.of()), tmp.resolve("data"),
                tmp.resolve("repo"), "test-service", 1, maxQueued, Duration.ofMillis(100), Duration.ofSeconds(30));
        JobService service = new JobService(store, config, JobArguments::check);
        if (start) {
            service.start();
        }
        return new Service(store, service, JobsApi.start(service, "127.0.0.1", 0, token));
    }

    private static List<String> train(String epochs, String... extra) {
        List<String> a = new ArrayList<>(List.of("train", "--data", "digits", "--hidden", "16", "--epochs", epochs,
                "--seed", "1", "--optimizer", "adam", "--lr", "0.01"));
        a.addAll(List.of(extra));
        return a;
    }

    private String digestByHand(List<String> train) throws IOException {
        List<String> a = new ArrayList<>(train);
        a.addAll(List.of("--json", "--out", tmp.resolve("by-hand").toString()));
        CliRunner r = CliRunner.run(a.toArray(String[]::new));
        assertThat(r.status()).as(r.err()).isZero();
        return JSON.readTree(r.lastLine()).get("parameter_digest").asText();
    }

    private static CliRunner jobs(String url, List<String> args) {
        List<String> a = new ArrayList<>(List.of("jobs"));
        a.add(args.get(0));
        a.addAll(List.of("--server", url));
        a.addAll(args.subList(1, args.size()));
        return CliRunner.run(a.toArray(String[]::new));
    }

    private static JsonNode job(String url, long id) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/api/v1/jobs/" + id)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static JsonNode await(String url, long id, Predicate<JsonNode> until, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        JsonNode j = null;
        while (System.nanoTime() < deadline) {
            j = job(url, id);
            if (until.test(j)) {
                return j;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("job " + id + " " + what + " within 120 s; last seen: " + j);
    }

    @Test
    void aSubmittedJobTrainsAndIsServedAsTheNextVersionWithoutARestart() throws Exception {
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo);
        String expected = digestByHand(train("3"));
        try (Service s = service(10, null, true);
             InferenceServer server = InferenceServer.start(ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0)
                     .withGrpcPort(-1).withPollSeconds(1).withDrainPeriod(Duration.ZERO))) {
            List<String> submit = new ArrayList<>(List.of("submit", "--name", "digits", "--publish", "digits", "--wait", "--"));
            submit.addAll(train("3"));
            CliRunner r = jobs(s.url(), submit);
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).contains("epoch 3/3").contains("job 1 digits: SUCCEEDED, epoch 3/3, published digits version 1");
            JsonNode status = JSON.readTree(jobs(s.url(), List.of("status", "1", "--json")).lastLine());
            assertThat(status.get("result").get("parameter_digest").asText()).as("the job trains as train does").isEqualTo(expected);
            assertThat(status.get("progress").get("metrics").get("loss").asDouble()).isPositive();
            assertThat(Files.exists(repo.resolve("digits/1/model.rfm"))).isTrue();
            assertThat(jobs(s.url(), List.of("list")).out()).contains("job 1 digits: SUCCEEDED");
            assertThat(jobs(s.url(), List.of("logs", "1")).out()).contains("published").contains("epoch 1/3");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int code = 0;
            while (code != 200 && System.nanoTime() < deadline) {
                code = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/v2/models/digits/versions/1/ready")).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
                Thread.sleep(200);
            }
            assertThat(code).as("the running server picked the published version up").isEqualTo(200);
        }
    }

    @Test
    void badInputIsRefusedWithOneLineBeforeAnythingIsQueued() throws Exception {
        try (Service s = service(2, null, false)) {
            String refusedByTrain = CliRunner.run(train("3", "--lr", "-1", "--out", tmp.resolve("x").toString())
                    .toArray(String[]::new)).err().lines().findFirst().orElseThrow();
            List<String> bad = new ArrayList<>(List.of("submit", "--"));
            bad.addAll(train("3", "--lr", "-1"));
            CliRunner r = jobs(s.url(), bad);
            assertThat(r.status()).isEqualTo(1);
            assertThat(r.err()).as("train's own message").contains(refusedByTrain.replace("ringfold: ", ""));
            List<String> engine = new ArrayList<>(List.of("submit", "--engine", "gpu", "--"));
            engine.addAll(train("3"));
            assertThat(jobs(s.url(), engine).err()).contains("engine: 'gpu' (expected: one of local, launch, spark, kubernetes)");
            assertThat(post(s.url() + "/api/v1/jobs", "{\"name\": \"x\", \"arguments\": [\"" + "a".repeat(10_000_000) + "\"]}"))
                    .startsWith("413 ").contains("request body: ");
            assertThat(post(s.url() + "/api/v1/jobs", "{\"name\": \"x\", \"type\": \"preprocess\", \"arguments\": []}"))
                    .as("preprocess's own check").startsWith("400 ").contains("--data");
            assertThat(post(s.url() + "/api/v1/jobs", "{\"name\": \"x\", \"colour\": 1}"))
                    .startsWith("400 ").contains("job spec: unknown field");
            assertThat(jobs(s.url(), List.of("status", "42")).err()).contains("job 42: not found");
            assertThat(post(s.url() + "/api/v1/jobs/42/cancel", "")).startsWith("404 ");
            assertThat(post(s.url() + "/api/v1/elsewhere", "")).startsWith("404 ");
            assertThat(post(s.url() + "/api/v1/jobs/1", "")).startsWith("405 ");
            assertThat(s.service().list(io.ringfold.jobs.store.JobQuery.all())).as("nothing queued").isEmpty();
            // Checked as the job will run: under launch, as one of its worker processes.
            List<String> launched = new ArrayList<>(List.of("submit", "--engine", "launch", "--nproc", "3", "--"));
            launched.addAll(train("3", "--pipeline-stages", "2"));
            assertThat(jobs(s.url(), launched).err()).contains("--world-size: 3 (expected: a multiple of --pipeline-stages 2");
            // A queue of two, never started: the third submission is told to come back.
            List<String> ok = new ArrayList<>(List.of("submit", "--engine", "launch", "--nproc", "2", "--"));
            ok.addAll(train("3", "--checkpoint-dir", tmp.resolve("ck").toString()));
            assertThat(jobs(s.url(), ok).status()).as("a launch job that checkpoints").isZero();
            List<String> withWorkers = new ArrayList<>(List.of("submit", "--workers", "2", "--"));
            withWorkers.addAll(train("3", "--shards", "4"));
            assertThat(jobs(s.url(), withWorkers).status()).as("a job with workers and --shards").isZero();
            HttpResponse<String> full = HTTP.send(HttpRequest.newBuilder(URI.create(s.url() + "/api/v1/jobs"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"again\", \"arguments\": [\"--data\", \"digits\"]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(full.statusCode()).isEqualTo(503);
            assertThat(full.headers().firstValue("Retry-After")).hasValue("30");
            assertThat(full.body()).contains("queue: 2 jobs waiting (expected: fewer than 2; try again later)");
        }
        Files.writeString(tmp.resolve("token"), "s3cret\n");
        try (Service s = service(1, "s3cret", false)) {
            assertThat(jobs(s.url(), List.of("list")).err()).contains("authorization: missing");
            Files.writeString(tmp.resolve("wrong"), "guess");
            assertThat(jobs(s.url(), List.of("list", "--auth-token-file", tmp.resolve("wrong").toString())).err())
                    .contains("authorization: wrong token");
            assertThat(jobs(s.url(), List.of("list", "--auth-token-file", tmp.resolve("token").toString())).status()).isZero();
        }
    }

    private static String post(String url, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    @Test
    void aCancelledJobIsRetriedFromItsCheckpointToTheUninterruptedDigest() throws Exception {
        Path ckpt = tmp.resolve("ckpt");
        List<String> args = train("300", "--workers", "1", "--checkpoint-dir", ckpt.toString());
        String expected = digestByHand(train("300", "--workers", "1"));
        try (Service s = service(10, null, true)) {
            List<String> submit = new ArrayList<>(List.of("submit", "--name", "long", "--"));
            submit.addAll(args);
            long id = Long.parseLong(jobs(s.url(), submit).lastLine().strip());
            await(s.url(), id, j -> j.path("progress").path("epoch").asInt() >= 20, "reaches epoch 20");
            assertThat(jobs(s.url(), List.of("cancel", Long.toString(id))).status()).isZero();
            JsonNode cancelled = await(s.url(), id, j -> j.path("state").asText().equals("CANCELLED"), "is cancelled");
            assertThat(cancelled.path("reason").asText()).isEqualTo("cancelled by request");
            int stoppedAt = cancelled.path("progress").path("epoch").asInt();
            assertThat(stoppedAt).isLessThan(300);
            assertThat(jobs(s.url(), List.of("retry", Long.toString(id))).out()).contains("QUEUED");
            JsonNode done = await(s.url(), id, j -> j.path("state").asText().equals("SUCCEEDED"), "succeeds");
            assertThat(done.path("attempts").asInt()).isEqualTo(2);
            assertThat(done.path("result").path("parameter_digest").asText()).isEqualTo(expected);
            assertThat(jobs(s.url(), List.of("logs", Long.toString(id))).out()).contains("--resume")
                    .containsPattern("resumed from checkpoint .* at epoch \\d+/300");
        }
    }

    @Test
    void aServiceKilledMidJobLosesNoRecordAndFinishesTheJobFromItsCheckpoint() throws Exception {
        Path data = tmp.resolve("killed");
        Path ckpt = tmp.resolve("ckpt");
        String expected = digestByHand(train("300", "--workers", "1"));
        long id;
        Process first = startService(data);
        String url = serviceUrl(first);
        try {
            List<String> submit = new ArrayList<>(List.of("submit", "--name", "survivor", "--"));
            submit.addAll(train("300", "--workers", "1", "--checkpoint-dir", ckpt.toString()));
            id = Long.parseLong(jobs(url, submit).lastLine().strip());
            await(url, id, j -> j.path("progress").path("epoch").asInt() >= 20, "reaches epoch 20");
        } finally {
            List<ProcessHandle> children = first.descendants().toList();
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            for (ProcessHandle c : children) {
                assertThat(c.onExit().get(30, TimeUnit.SECONDS).isAlive()).as("the killed service's training").isFalse();
            }
        }
        Process second = startService(data);
        try {
            String again = serviceUrl(second);
            JsonNode done = await(again, id, j -> j.path("state").asText().equals("SUCCEEDED"), "succeeds after the restart");
            assertThat(done.path("result").path("parameter_digest").asText()).isEqualTo(expected);
            String log = jobs(again, List.of("logs", Long.toString(id))).out();
            assertThat(log).contains("the job service restarted while the job ran; it resumes from its checkpoint")
                    .containsPattern("resumed from checkpoint .* at epoch \\d+/300");
        } finally {
            second.destroy();
            second.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServiceStoppedBySigtermGivesItsRunningJobBackToTheQueue() throws Exception {
        Path data = tmp.resolve("stopped");
        Process p = startService(data);
        long id;
        try {
            String url = serviceUrl(p);
            List<String> submit = new ArrayList<>(List.of("submit", "--name", "handed-back", "--"));
            submit.addAll(train("100000"));
            id = Long.parseLong(jobs(url, submit).lastLine().strip());
            await(url, id, j -> j.path("progress").path("epoch").asInt() >= 20, "reaches epoch 20");
        } finally {
            p.destroy(); // SIGTERM
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the service stops").isTrue();
        }
        try (JdbcJobStore store = JobStores.openDataDir(data)) {
            List<String> log = store.readLog(id, 0, 10_000).lines();
            assertThat(store.get(id).orElseThrow().state()).as(() -> "the service said: " + output(p) + "\nthe job's log "
                    + "ends: " + String.join("\n", log.subList(Math.max(0, log.size() - 5), log.size())))
                    .isEqualTo(io.ringfold.jobs.JobState.QUEUED);
            assertThat(String.join("\n", store.readLog(id, 0, 10_000).lines())).contains("the job service shut down");
        }
    }

    @Test
    void aPreprocessJobStoresAPreprocessingThatTrainJobsReferenceById() throws Exception {
        String expected = digestByHand(train("2"));
        try (Service s = service(10, null, true)) {
            CliRunner prep = jobs(s.url(), List.of("submit", "--name", "digits-prep", "--wait", "--", "preprocess",
                    "--data", "digits", "--seed", "1"));
            assertThat(prep.status()).as(prep.out() + prep.err()).isZero();
            assertThat(prep.out()).contains("job 1 digits-prep: SUCCEEDED");
            JsonNode stored = job(s.url(), 1);
            assertThat(stored.path("spec").path("type").asText()).isEqualTo("preprocess");
            Path file = Path.of(stored.path("result").path("preprocessing_path").asText());
            assertThat(file).exists().hasFileName("preprocessing.json");

            List<String> trainJob = new ArrayList<>(List.of("submit", "--name", "digits-mlp", "--wait", "--"));
            trainJob.addAll(train("2", "--preprocessing", "job:1"));
            CliRunner trained = jobs(s.url(), trainJob);
            assertThat(trained.status()).as(trained.out() + trained.err()).isZero();
            JsonNode done = job(s.url(), 2);
            assertThat(done.path("spec").path("arguments").toString()).as("the reference is recorded resolved")
                    .contains(file.getParent().toString()).doesNotContain("job:1");
            assertThat(done.path("result").path("parameter_digest").asText())
                    .as("the stored preprocessing trains the model train fits itself").isEqualTo(expected);

            List<String> missing = new ArrayList<>(List.of("submit", "--"));
            missing.addAll(train("2", "--preprocessing", "job:99"));
            assertThat(jobs(s.url(), missing).err()).contains("--preprocessing: job:99 (expected: the id of a preprocess "
                    + "job; there is no job 99)");
            List<String> notPreprocess = new ArrayList<>(List.of("submit", "--"));
            notPreprocess.addAll(train("2", "--preprocessing", "job:2"));
            assertThat(jobs(s.url(), notPreprocess).err()).contains("--preprocessing: job:2 is a train job, SUCCEEDED "
                    + "(expected: a SUCCEEDED preprocess job)");
            assertThat(jobs(s.url(), List.of("submit", "--engine", "launch", "--", "preprocess", "--data", "digits")).err())
                    .contains("engine: launch (expected: local for a preprocess job)");
            assertThat(jobs(s.url(), List.of("submit", "--publish", "m", "--", "preprocess", "--data", "digits")).err())
                    .contains("preprocess job: publish, workers or nproc given (expected: none;");
            assertThat(jobs(s.url(), List.of("submit", "--", "preprocess", "--data", "digits", "--impute", "mode")).err())
                    .as("preprocess's own check before queueing").contains("--impute");
            assertThat(s.service().list(io.ringfold.jobs.store.JobQuery.all())).hasSize(2);
        }
    }

    /**
     * {@code jobs submit -- train --mask ... --mask-key-file F}: the key file is read where the job runs (here the
     * service's machine); the job trains the model train trains itself with the same flags (the same digest), and
     * neither its record, its log nor any file under the service's data directory holds a raw value of a masked
     * column or the key. An hmac mask without a key file is refused at submission; a key file missing where the
     * job runs fails the job with the command's own line.
     */
    @Test
    void aTrainJobWithMasksReadsItsKeyWhereItRunsAndKeepsNoRawValue() throws Exception {
        StringBuilder csv = new StringBuilder("name,email,age,income,y\n");
        List<String> secrets = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String name = "Wilhelmina Jobsecret" + (i % 7);
            String email = "wilhelmina" + (i % 7) + "@jobs-mask.example";
            int age = 20 + (i * 37) % 50;
            int income = 20 + (i * 53) % 80;
            secrets.addAll(List.of(name, email));
            csv.append(String.join(",", name, email, Integer.toString(age), Integer.toString(income),
                    income + age / 2 > 70 ? "1" : "0")).append('\n');
        }
        Path data = Files.writeString(tmp.resolve("people.csv"), csv);
        String keyText = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
        Path key = Files.writeString(tmp.resolve("mask.key"), keyText + "\n");
        List<String> trainArgs = List.of("train", "--data", "csv:" + data + "?label=y", "--mask",
                "name=drop,email=hmac,age=bucket(10)", "--mask-key-file", key.toString(), "--model", "logistic",
                "--max-iter", "20", "--seed", "1");
        String expected = digestByHand(trainArgs);
        try (Service s = service(10, null, true)) {
            List<String> submit = new ArrayList<>(List.of("submit", "--name", "masked", "--wait", "--"));
            submit.addAll(trainArgs);
            CliRunner r = jobs(s.url(), submit);
            assertThat(r.status()).as(r.out() + r.err()).isZero();
            assertThat(r.out()).contains("job 1 masked: SUCCEEDED");
            JsonNode done = job(s.url(), 1);
            assertThat(done.path("result").path("parameter_digest").asText()).isEqualTo(expected);
            String everything = r.out() + r.err() + done + jobs(s.url(), List.of("logs", "1")).out()
                    + MaskingCommandTest.allFiles(tmp.resolve("data"));
            assertThat(everything).as("the search reads the job's files").contains("parameter_digest");
            for (String secret : secrets) {
                assertThat(everything).doesNotContain(secret);
            }
            assertThat(everything).doesNotContain(keyText);

            List<String> noKey = new ArrayList<>(List.of("submit", "--"));
            noKey.addAll(trainArgs.subList(0, 5));
            assertThat(jobs(s.url(), noKey).err()).as("refused before it is queued")
                    .contains("--mask: columns [email] are hmac (expected: --mask-key-file FILE with the secret key)");
            Path absent = tmp.resolve("absent.key");
            List<String> missing = new ArrayList<>(List.of("submit", "--name", "nokey", "--wait", "--"));
            missing.addAll(trainArgs);
            missing.set(missing.indexOf(key.toString()), absent.toString());
            CliRunner failed = jobs(s.url(), missing);
            JsonNode f = job(s.url(), 2);
            assertThat(f.path("state").asText()).as(failed.out() + failed.err()).isEqualTo("FAILED");
            assertThat(f + jobs(s.url(), List.of("logs", "2")).out()).contains("--mask-key-file " + absent
                    + ": no such file (expected: the mask key file)");
            assertThat(s.service().list(io.ringfold.jobs.store.JobQuery.all())).hasSize(2);
        }
    }

    @Test
    void theDashboardShowsTheJobServicesJobsWithTheirCurvesAndSubmitsOne() throws Exception {
        Path repo = tmp.resolve("repo");
        Files.createDirectories(repo);
        Files.writeString(tmp.resolve("jobs-token"), "jobs-s3cret\n");
        Files.writeString(tmp.resolve("wrong"), "guess\n");
        ServerConfig serving = ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0).withGrpcPort(-1)
                .withDrainPeriod(Duration.ZERO);
        try (Service s = service(10, "jobs-s3cret", true);
             InferenceServer server = InferenceServer.start(serving, io.ringfold.tensor.Blas.get(),
                     JobsLink.of(s.url(), tmp.resolve("jobs-token")));
             InferenceServer wrongToken = InferenceServer.start(serving, io.ringfold.tensor.Blas.get(),
                     JobsLink.of(s.url(), tmp.resolve("wrong")));
             InferenceServer unlinked = InferenceServer.start(serving)) {
            String ui = "http://127.0.0.1:" + server.port() + "/ui/api/jobs";
            HttpResponse<String> submitted = HTTP.send(HttpRequest.newBuilder(URI.create(ui))
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(JSON.createObjectNode()
                            .put("name", "from-the-page").set("arguments", JSON.valueToTree(train("3").subList(1, 13))))))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(201);
            long id = JSON.readTree(submitted.body()).get("id").asLong();

            JsonNode detail = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline) {
                detail = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(ui + "/" + id)).build(),
                        HttpResponse.BodyHandlers.ofString()).body());
                if (detail.path("job").path("state").asText().equals("SUCCEEDED")) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(detail.path("job").path("state").asText()).as("%s", detail).isEqualTo("SUCCEEDED");
            assertThat(detail.get("epochs")).as("one point per epoch for the curves").hasSize(3);
            for (int e = 0; e < 3; e++) {
                assertThat(detail.get("epochs").get(e).get("epoch").asInt()).isEqualTo(e + 1);
                assertThat(detail.get("epochs").get(e).get("metrics").get("loss").asDouble()).isPositive();
                assertThat(detail.get("epochs").get(e).get("metrics").get("accuracy").asDouble()).isBetween(0.0, 1.0);
            }
            assertThat(detail.get("log").get("lines").toString()).contains("epoch 3/3");
            JsonNode list = JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(ui)).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(list.get("jobs").get(0).get("spec").get("name").asText()).isEqualTo("from-the-page");

            // The job service's refusals that are the page's to fix keep their status and message.
            HttpResponse<String> bad = HTTP.send(HttpRequest.newBuilder(URI.create(ui))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"x\", \"arguments\": [\"--data\", \"digits\", "
                            + "\"--lr\", \"-1\"]}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.body()).contains("--lr");
            assertThat(status(ui + "/4242")).startsWith("404 ").contains("job 4242");
            assertThat(send("POST", ui + "/" + id + "/cancel")).startsWith("409 ");
            assertThat(send("DELETE", ui)).startsWith("405 ");
            // The operator's mistakes are 502, naming the job service.
            assertThat(status("http://127.0.0.1:" + wrongToken.port() + "/ui/api/jobs")).startsWith("502 ")
                    .contains("refused the dashboard's token");
            assertThat(status("http://127.0.0.1:" + unlinked.port() + "/ui/api/jobs")).startsWith("404 ")
                    .contains("no job service (expected: serve --jobs-server URL)");
        }
        try (InferenceServer dead = InferenceServer.start(ServerConfig.defaults(repo).withHost("127.0.0.1").withPort(0)
                .withGrpcPort(-1).withDrainPeriod(Duration.ZERO), io.ringfold.tensor.Blas.get(),
                JobsLink.of("http://127.0.0.1:" + freePort(), null))) {
            assertThat(status("http://127.0.0.1:" + dead.port() + "/ui/api/jobs")).startsWith("502 ")
                    .contains("did not answer GET /api/v1/jobs");
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String status(String url) throws Exception {
        return send("GET", url);
    }

    private static String send(String method, String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body();
    }

    private static final Pattern LISTENING = Pattern.compile("serving /api/v1/jobs on (http://[0-9.]+:\\d+) ");

    private Process startService(Path data) throws IOException {
        List<String> cmd = new ArrayList<>(LaunchCommand.javaCommand(List.of()));
        cmd.addAll(List.of("jobs", "serve", "--port", "0", "--data-dir", data.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
        return pb.start();
    }

    /** What each service process printed after it said where it listens, for the failures' messages. */
    private static final java.util.Map<Process, List<String>> OUTPUT = new java.util.concurrent.ConcurrentHashMap<>();

    private static String output(Process p) {
        List<String> lines = OUTPUT.getOrDefault(p, List.of());
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    /** The URL the service prints once it listens; its later output is kept on a thread ({@link #output}). */
    private static String serviceUrl(Process p) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String line = r.readLine(); line != null && System.nanoTime() < deadline; line = r.readLine()) {
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                List<String> kept = OUTPUT.computeIfAbsent(p, k -> java.util.Collections.synchronizedList(new ArrayList<>()));
                Thread drain = new Thread(() -> r.lines().forEach(kept::add));
                drain.setDaemon(true);
                drain.start();
                return m.group(1);
            }
        }
        throw new AssertionError("the job service did not say where it listens within 60 s");
    }
}
