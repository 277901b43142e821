package io.ringfold.jobs.http;

import io.ringfold.jobs.service.ArgumentCheck;
import io.ringfold.jobs.service.JobService;
import io.ringfold.jobs.service.JobServiceConfig;
import io.ringfold.jobs.store.JdbcJobStore;
import io.ringfold.jobs.store.JobStores;
import io.ringfold.model.Provenance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The job service's {@code /metrics} over real HTTP: behind the token, jobs by state, submissions, the runtime. */
class JobsMetricsTest {

    private static final String TOKEN = "jobs-metrics.1";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path tmp;

    @Test
    void metricsCountJobsByStateAndSubmissionsByOutcomeBehindTheToken() throws Exception {
        // Not started: submitted jobs stay queued, so the counts are known.
        JobServiceConfig config = new JobServiceConfig(List.of("java"), tmp.resolve("data"), null, "metrics-test", 1, 2,
                Duration.ofMillis(100), Duration.ofSeconds(30));
        try (JdbcJobStore store = JobStores.openDataDir(tmp.resolve("data"));
             JobService service = new JobService(store, config, ArgumentCheck.NONE);
             JobsApi api = JobsApi.start(service, "127.0.0.1", 0, TOKEN)) {
            String url = "http://127.0.0.1:" + api.port();
            assertThat(send(url + "/metrics", null, null).statusCode()).as("no token").isEqualTo(401);

            String job = "{\"name\": \"m\", \"arguments\": [\"--data\", \"digits\"]}";
            assertThat(send(url + "/api/v1/jobs", job, TOKEN).statusCode()).isEqualTo(201);
            assertThat(send(url + "/api/v1/jobs", job, TOKEN).statusCode()).isEqualTo(201);
            assertThat(send(url + "/api/v1/jobs", job, TOKEN).statusCode()).as("a queue of two").isEqualTo(503);
            assertThat(send(url + "/api/v1/jobs", "{\"colour\": 1}", TOKEN).statusCode()).isEqualTo(400);
            service.cancel(1);

            HttpResponse<String> r = send(url + "/metrics", null, TOKEN);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
            List<String> lines = r.body().lines().toList();
            assertThat(lines).contains("ringfold_jobs{state=\"QUEUED\"} 1.0", "ringfold_jobs{state=\"CANCELLED\"} 1.0",
                    "ringfold_jobs{state=\"RUNNING\"} 0.0", "ringfold_jobs{state=\"SUCCEEDED\"} 0.0",
                    "ringfold_jobs{state=\"FAILED\"} 0.0",
                    "ringfold_job_submissions_total{outcome=\"accepted\"} 2.0",
                    "ringfold_job_submissions_total{outcome=\"queue_full\"} 1.0",
                    "ringfold_job_submissions_total{outcome=\"invalid\"} 1.0",
                    "ringfold_build_info{revision=\"" + Provenance.libraryRevision() + "\",version=\""
                            + Provenance.libraryVersion() + "\"} 1");
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("process_cpu_seconds_total "))
                    .anySatisfy(l -> assertThat(l).startsWith("jvm_memory_used_bytes{area=\"heap\"} "))
                    .anySatisfy(l -> assertThat(l).startsWith("jvm_threads_current "))
                    .anySatisfy(l -> assertThat(l).startsWith("jvm_gc_collections_total{gc="));
        }
    }

    private static HttpResponse<String> send(String url, String postBody, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (postBody != null) {
            b.POST(HttpRequest.BodyPublishers.ofString(postBody));
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
