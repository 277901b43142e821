package io.ringfold.jobs.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.ringfold.jobs.Engine;
import io.ringfold.jobs.JobSpec;
import io.ringfold.jobs.JobState;
import io.ringfold.jobs.store.JdbcJobStore;
import io.ringfold.jobs.store.JobStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The kubernetes engine against fabric8's mock API server (no cluster runs here): a real HTTP server on a socket,
 * in CRUD mode (objects created, read, watched and deleted as an API server would keep them) with expectations
 * for what CRUD cannot answer (pod logs, refusals). No Job controller runs in it: the tests create the pods a Job
 * would have and move their phases themselves.
 */
class KubernetesEngineTest {

    private static final String NS = "training";
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private static final Map<ServerRequest, Queue<ServerResponse>> RESPONSES = new HashMap<>();
    /** One server for the class (it starts in seconds), emptied after each test. */
    private static KubernetesMockServer server;
    private static KubernetesClient client;
    /** The engine's own client: its requests, told apart by their User-Agent, are checked against the Role. */
    private static KubernetesClient engineClient;
    private static final String ENGINE_AGENT = "ringfold-jobs-engine-under-test";
    private JdbcJobStore store;
    private JobService service;
    private final List<List<String>> checked = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), RESPONSES,
                new KubernetesMixedDispatcher(RESPONSES), false);
        server.init();
        client = server.createClient();
        // Without the client's own retries of 5xx answers (with back-off, 10 by default), the run's show in a test.
        engineClient = server.createClient(b -> b.editOrNewConfig().withUserAgent(ENGINE_AGENT)
                .withRequestRetryBackoffLimit(0).endConfig());
    }

    @AfterAll
    static void stopServer() {
        client.close();
        engineClient.close();
        server.destroy();
    }

    @BeforeEach
    void openStore() throws IOException {
        store = JobStores.openDataDir(tmp.resolve("data"));
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        store.close();
        server.reset();
    }

    private KubernetesConfig kubernetesConfig(Duration startTimeout) {
        return new KubernetesConfig(NS, "registry.example.com/ringfold:0.1.0", "ringfold-train", "ringfold-models",
                tmp.resolve("volume").toAbsolutePath(), "2", "2Gi", startTimeout, Duration.ofMillis(100));
    }

    private JobService service(Duration startTimeout) {
        JobServiceConfig config = new JobServiceConfig(List.of("java"), tmp.resolve("data"), tmp.resolve("repo"),
                "test-service", 2, 10, Duration.ofMillis(50), Duration.ofSeconds(30));
        return new JobService(store, config, checked::add, new KubernetesEngine(engineClient, kubernetesConfig(startTimeout)));
    }

    private static JobSpec spec(int workers, String... args) {
        return JobSpec.train("digits", Engine.KUBERNETES, List.of(args), "alice").withWorkers(workers, null);
    }

    @Test
    void aJobBecomesAnIndexedJobWithAHeadlessServiceLabelledWithItsId() {
        service = service(Duration.ofMinutes(5)).start();
        long id = service.submit(spec(2, "--data", "digits", "--epochs", "2")).id();
        String name = "ringfold-job-" + id + "-1";
        Job job = await("the Job", () -> client.batch().v1().jobs().inNamespace(NS).withName(name).get());
        Service svc = await("the Service", () -> client.services().inNamespace(NS).withName(name).get());

        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(job.getSpec().getCompletions()).isEqualTo(2);
        assertThat(job.getSpec().getParallelism()).isEqualTo(2);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        Map<String, String> labels = Map.of("app.kubernetes.io/name", "ringfold-train", "app.kubernetes.io/instance", name,
                "app.kubernetes.io/component", "training", "app.kubernetes.io/part-of", "ringfold",
                "app.kubernetes.io/managed-by", "ringfold-jobs", "ringfold.io/job-id", Long.toString(id));
        assertThat(job.getMetadata().getLabels()).isEqualTo(labels);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).isEqualTo(labels);
        assertThat(svc.getMetadata().getLabels()).isEqualTo(labels);

        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getSubdomain()).as("pod NAME-I is NAME-I.NAME under the Service").isEqualTo(name);
        assertThat(pod.getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getServiceAccountName()).isEqualTo("ringfold-train");
        var container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("registry.example.com/ringfold:0.1.0");
        String out = tmp.resolve("volume").toAbsolutePath().resolve("jobs/" + id + "/model").toString();
        assertThat(container.getArgs()).containsExactly("train", "--data", "digits", "--epochs", "2", "--out", out, "--json");
        assertThat(container.getEnv()).extracting(EnvVar::getName, EnvVar::getValue).containsExactly(
                org.assertj.core.groups.Tuple.tuple("WORLD_SIZE", "2"),
                org.assertj.core.groups.Tuple.tuple("MASTER_ADDR", name + "-0." + name),
                org.assertj.core.groups.Tuple.tuple("MASTER_PORT", "29500"));
        assertThat(container.getResources().getLimits()).containsOnlyKeys("cpu", "memory");
        assertThat(container.getResources().getLimits().get("memory").toString()).isEqualTo("2Gi");
        assertThat(container.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath())
                .isEqualTo(tmp.resolve("volume").toAbsolutePath().toString()));
        assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getClaimName())
                .isEqualTo("ringfold-models"));

        assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(svc.getSpec().getSelector()).isEqualTo(Map.of("app.kubernetes.io/instance", name));
        // Checked at submission as train would see rank 0, with the rendezvous the environment gives it.
        assertThat(checked).singleElement().satisfies(a -> assertThat(a).containsSubsequence("--rank", "0",
                "--world-size", "2"));
    }

    @Test
    void podPhasesDriveTheJobAndRankZerosLogBecomesItsLogAndProgress() throws Exception {
        while (server.takeRequest(0, TimeUnit.SECONDS) != null) {
            // The requests of earlier tests.
        }
        service = service(Duration.ofMinutes(5)).start();
        long id = service.submit(spec(2, "--data", "digits", "--epochs", "2").withPublish("digits")).id();
        String name = "ringfold-job-" + id + "-1";
        await("the Job", () -> client.batch().v1().jobs().inNamespace(NS).withName(name).get());
        // What rank 0 writes on the shared volume, which the service publishes.
        Path model = tmp.resolve("volume").toAbsolutePath().resolve("jobs/" + id + "/model");
        Files.createDirectories(model);
        Files.writeString(model.resolve("model.rfm"), "weights");
        server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + name + "-0-abcde/log?pretty=false&container=worker&follow=true")
                .andReturn(200, "rank 0/2: joining ...\nepoch 1/2  loss 0.9000  acc 0.5000  1.00 s  8 samples/s\nepoch 2/2  loss 0.4000  acc 0.8750  1.00 s  8 samples/s\n"
                        + "{\"parameter_digest\":\"abc\",\"accuracy\":0.875}\n").once();

        Pod rank0 = pod(name, 0, "Pending");
        Pod rank1 = pod(name, 1, "Pending");
        awaitTrue("the pods noted", () -> logText(id).contains(name + "-1-abcde (rank 1): Pending"));
        assertThat(store.get(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        setPhase(rank0, "Running", null);
        setPhase(rank1, "Running", null);
        awaitTrue("rank 0's log copied", () -> store.get(id).orElseThrow().progress().epoch() == 2);
        assertThat(store.get(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        setPhase(rank0, "Succeeded", terminated(0, "Completed", null));
        setPhase(rank1, "Succeeded", terminated(0, "Completed", null));

        awaitTrue("the job finished", () -> store.get(id).orElseThrow().state().isFinished());
        var job = store.get(id).orElseThrow();
        assertThat(job.state()).as(job.reason()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.result().get("parameter_digest").asText()).isEqualTo("abc");
        assertThat(job.progress().epochs()).isEqualTo(2);
        assertThat(job.progress().metrics().get("loss").asDouble()).isEqualTo(0.4);
        assertThat(job.publishedVersion()).isEqualTo(1L);
        assertThat(Files.readString(tmp.resolve("repo/digits/1/model.rfm"))).isEqualTo("weights");
        // Rank 0's lines in order; the service's notes of pod phases may come between them.
        assertThat(store.readLog(id, 0, 10_000).lines()).containsSubsequence("rank 0/2: joining ...",
                "epoch 1/2  loss 0.9000  acc 0.5000  1.00 s  8 samples/s", "epoch 2/2  loss 0.4000  acc 0.8750  1.00 s  8 samples/s",
                "{\"parameter_digest\":\"abc\",\"accuracy\":0.875}");
        awaitGone(name);

        // A whole run uses every permission the job service's Role grants, and no other.
        Set<String> used = new TreeSet<>();
        for (var r = server.takeRequest(0, TimeUnit.SECONDS); r != null; r = server.takeRequest(0, TimeUnit.SECONDS)) {
            if (ENGINE_AGENT.equals(r.getHeader("User-Agent"))) {
                used.add(permission(r.getMethod(), r.getPath()));
            }
        }
        assertThat(used).isEqualTo(granted(Path.of("../deploy/kubernetes/base/jobs-role.yaml")));
    }

    /** {@code GROUP/RESOURCE VERB} of an API request, as RBAC names it. */
    private static String permission(String method, String path) {
        String[] pathAndQuery = path.split("\\?", 2);
        String[] parts = pathAndQuery[0].split("/");
        // /api/v1/namespaces/NS/RESOURCE[/NAME[/SUB]] or /apis/GROUP/VERSION/namespaces/NS/...
        boolean core = parts[1].equals("api");
        String group = core ? "" : parts[2];
        int at = core ? 5 : 6;
        String resource = parts[at] + (parts.length > at + 2 ? "/" + parts[at + 2] : "");
        boolean named = parts.length > at + 1;
        boolean watch = pathAndQuery.length > 1 && pathAndQuery[1].contains("watch=true");
        String verb = switch (method) {
            case "POST" -> "create";
            case "DELETE" -> "delete";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            default -> watch ? "watch" : named ? "get" : "list";
        };
        return group + "/" + resource + " " + verb;
    }

    private static Set<String> granted(Path role) throws IOException {
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(role.toFile());
        assertThat(doc.path("kind").asText()).isEqualTo("Role");
        Set<String> granted = new TreeSet<>();
        for (JsonNode rule : doc.path("rules")) {
            for (JsonNode group : rule.path("apiGroups")) {
                for (JsonNode resource : rule.path("resources")) {
                    for (JsonNode verb : rule.path("verbs")) {
                        granted.add(group.asText() + "/" + resource.asText() + " " + verb.asText());
                    }
                }
            }
        }
        return granted;
    }

    @Test
    void aFailedPodsReasonIsTheJobsReason() {
        service = service(Duration.ofMinutes(5)).start();
        long id = service.submit(spec(2, "--data", "digits")).id();
        String name = "ringfold-job-" + id + "-1";
        await("the Job", () -> client.batch().v1().jobs().inNamespace(NS).withName(name).get());
        pod(name, 0, "Pending");
        Pod rank1 = pod(name, 1, "Pending");
        setPhase(rank1, "Failed", terminated(1, "Error", "epoch 1/2 ...\nringfold: error: allreduce: rank 0 did not "
                + "answer within 60 s\n"));

        awaitTrue("the job finished", () -> store.get(id).orElseThrow().state().isFinished());
        var job = store.get(id).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.reason()).isEqualTo("allreduce: rank 0 did not answer within 60 s (pod " + name
                + "-1-abcde (rank 1): Error, exit code 1)");
        awaitGone(name);
    }

    @Test
    void cancelDeletesTheJobAndItsService() {
        service = service(Duration.ofMinutes(5)).start();
        long id = service.submit(spec(2, "--data", "digits")).id();
        String name = "ringfold-job-" + id + "-1";
        await("the Job", () -> client.batch().v1().jobs().inNamespace(NS).withName(name).get());

        service.cancel(id);
        awaitTrue("the job cancelled", () -> store.get(id).orElseThrow().state() == JobState.CANCELLED);
        assertThat(store.get(id).orElseThrow().reason()).isEqualTo("cancelled by request");
        awaitGone(name);
    }

    @Test
    void aRestartedServiceFollowsTheJobItsPredecessorStarted() {
        // The predecessor claimed the job and created its Job, then died (no shutdown: its record says RUNNING).
        long id = store.create(spec(1, "--data", "digits")).id();
        var claimed = store.claimNext("test-service").orElseThrow();
        String name = IndexedTrainingJob.name(claimed);
        client.batch().v1().jobs().inNamespace(NS).resource(IndexedTrainingJob.job(kubernetesConfig(Duration.ofMinutes(5)),
                claimed, List.of("train"))).create();
        server.expect().get().withPath("/api/v1/namespaces/" + NS + "/pods/" + name + "-0-abcde/log?pretty=false&container=worker&follow=true")
                .andReturn(200, "epoch 1/1  loss 0.5000  1.00 s  8 samples/s\n{\"parameter_digest\":\"def\"}\n").once();

        service = service(Duration.ofMinutes(5)).start();
        awaitTrue("followed again", () -> logText(id).contains("follows Kubernetes Job " + NS + "/" + name));
        assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).as("no second Job")
                .extracting(j -> j.getMetadata().getName()).containsExactly(name);
        Pod rank0 = pod(name, 0, "Running");
        setPhase(rank0, "Succeeded", terminated(0, "Completed", null));

        awaitTrue("the job finished", () -> store.get(id).orElseThrow().state().isFinished());
        var job = store.get(id).orElseThrow();
        assertThat(job.state()).as(job.reason()).isEqualTo(JobState.SUCCEEDED);
        assertThat(job.result().path("parameter_digest").asText()).as(logText(id)).isEqualTo("def");
        assertThat(logText(id)).contains("follows Kubernetes Job " + NS + "/" + name + ", started by an earlier attempt; "
                + "rank 0's log is copied again from its start", "epoch 1/1  loss 0.5000  1.00 s  8 samples/s");
        awaitGone(name);
    }

    @Test
    void aServiceThatShutsDownLeavesTheJobRunningForTheNextToFollow() {
        service = service(Duration.ofMinutes(5)).start();
        long id = service.submit(spec(1, "--data", "digits")).id();
        String name = "ringfold-job-" + id + "-1";
        await("the Job", () -> client.batch().v1().jobs().inNamespace(NS).withName(name).get());
        awaitTrue("the run follows it", () -> logText(id).contains("runs Indexed Job " + NS + "/" + name));

        service.close();
        assertThat(store.get(id).orElseThrow().state()).as("given back to the queue").isEqualTo(JobState.QUEUED);
        assertThat(client.batch().v1().jobs().inNamespace(NS).withName(name).get()).as("still running").isNotNull();
        assertThat(client.services().inNamespace(NS).withName(name).get()).isNotNull();

        service = service(Duration.ofMinutes(5)).start();
        awaitTrue("followed again", () -> logText(id).contains("attempt 2 follows Kubernetes Job " + NS + "/" + name));
        assertThat(client.batch().v1().jobs().inNamespace(NS).list().getItems()).as("no second Job")
                .extracting(j -> j.getMetadata().getName()).containsExactly(name);
        service.cancel(id);
        awaitTrue("the job cancelled", () -> store.get(id).orElseThrow().state() == JobState.CANCELLED);
        awaitGone(name);
    }

    @Test
    void aRefusedApiCallFailsTheJobNamingTheCallAndTheStatus() {
        server.expect().post().withPath("/api/v1/namespaces/" + NS + "/services").andReturn(403, new StatusBuilder()
                .withStatus("Failure").withCode(403).withReason("Forbidden").withMessage("services is forbidden: User "
                        + "\"system:serviceaccount:training:ringfold-jobs\" cannot create resource \"services\" in API "
                        + "group \"\" in the namespace \"training\"").build()).always();
        service = service(Duration.ofMinutes(5)).start();
        long id = service.submit(spec(2, "--data", "digits")).id();

        awaitTrue("the job finished", () -> store.get(id).orElseThrow().state().isFinished());
        var job = store.get(id).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.reason()).isEqualTo("Kubernetes API: create Service training/ringfold-job-" + id + "-1: 403 "
                + "Forbidden: services is forbidden: User \"system:serviceaccount:training:ringfold-jobs\" cannot create "
                + "resource \"services\" in API group \"\" in the namespace \"training\"");
    }

    @Test
    void aServerErrorIsTriedAgainAndTheServiceItsFirstTryMadeIsKept() {
        // The first create of the Job answers 500: the run tries again from the start, finds no Job, and creates it;
        // the Service its first try created answers 409 the second time, which is no error.
        server.expect().post().withPath("/apis/batch/v1/namespaces/" + NS + "/jobs").andReturn(500, new StatusBuilder()
                .withStatus("Failure").withCode(500).withReason("InternalError").withMessage("etcdserver: request timed out")
                .build()).once();
        service = service(Duration.ofMinutes(5)).start();
        long id = service.submit(spec(2, "--data", "digits")).id();
        String name = "ringfold-job-" + id + "-1";

        await("the Job", () -> client.batch().v1().jobs().inNamespace(NS).withName(name).get());
        awaitTrue("the run follows it", () -> logText(id).contains("runs Indexed Job " + NS + "/" + name));
        assertThat(store.get(id).orElseThrow().state()).isEqualTo(JobState.RUNNING);
        assertThat(logText(id)).contains("Kubernetes API: create Job " + NS + "/" + name + ": 500 InternalError: "
                + "etcdserver: request timed out; trying again");
        service.cancel(id);
        awaitTrue("the job cancelled", () -> store.get(id).orElseThrow().state() == JobState.CANCELLED);
        awaitGone(name);
    }

    @Test
    void podsThatNeverRunFailTheJobAtTheStartTimeoutWithTheirReason() {
        // The pod the Job will have (the first job of a new store, its first attempt), there before the run looks.
        String name = "ringfold-job-1-1";
        pod(name, 0, "Pending", new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewWaiting()
                .withReason("ImagePullBackOff").withMessage("Back-off pulling image \"registry.example.com/ringfold:0.1.0\"")
                .endWaiting().build());
        service = service(Duration.ofSeconds(1)).start();
        long id = service.submit(spec(1, "--data", "digits")).id();
        assertThat(id).isEqualTo(1);

        awaitTrue("the job finished", () -> store.get(id).orElseThrow().state().isFinished());
        var job = store.get(id).orElseThrow();
        assertThat(job.state()).isEqualTo(JobState.FAILED);
        assertThat(job.reason()).as(logText(id)).isEqualTo("Kubernetes Job training/" + name + ": no pod running after 1 s "
                + "(expected: within the start timeout): ImagePullBackOff: Back-off pulling image "
                + "\"registry.example.com/ringfold:0.1.0\"");
        awaitGone(name);
    }

    @Test
    void submissionsTheEngineCannotRunAreRefusedInOneLine() {
        JobServiceConfig config = new JobServiceConfig(List.of("java"), tmp.resolve("data"), tmp.resolve("repo"),
                "test-service", 1, 10, Duration.ofMillis(50), Duration.ofSeconds(30));
        assertThatThrownBy(() -> new JobService(store, config, ArgumentCheck.NONE).submit(spec(2, "--data", "digits")))
                .hasMessage("engine: kubernetes (expected: local, launch or spark; this service was started without "
                        + "--kubernetes-image)");
        service = service(Duration.ofMinutes(5));
        assertThatThrownBy(() -> service.submit(spec(2, "--data", "digits", "--out", "/tmp/model").withPublish("digits")))
                .hasMessage("--out: /tmp/model with publish digits (expected: a directory under "
                        + tmp.resolve("volume").toAbsolutePath() + ", the volume ringfold-models that the pods and this "
                        + "service share)");
    }

    // ---- the pods a Job controller would create, and what a kubelet would report ----

    private Pod pod(String job, int rank, String phase) {
        return pod(job, rank, phase, null);
    }

    private Pod pod(String job, int rank, String phase, io.fabric8.kubernetes.api.model.ContainerState state) {
        Pod pod = new PodBuilder().withNewMetadata().withName(job + "-" + rank + "-abcde").withNamespace(NS)
                .addToLabels(IndexedTrainingJob.INSTANCE, job)
                .addToLabels(IndexedTrainingJob.COMPLETION_INDEX, Integer.toString(rank)).endMetadata()
                .withNewSpec().addNewContainer().withName(IndexedTrainingJob.CONTAINER).withImage("ringfold").endContainer()
                .endSpec()
                .withNewStatus().withPhase(phase).endStatus().build();
        if (state != null) {
            pod.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder()
                    .withName(IndexedTrainingJob.CONTAINER).withState(state).build()));
        }
        return client.pods().inNamespace(NS).resource(pod).create();
    }

    private void setPhase(Pod pod, String phase, io.fabric8.kubernetes.api.model.ContainerState state) {
        Pod current = client.pods().inNamespace(NS).withName(pod.getMetadata().getName()).get();
        current.getStatus().setPhase(phase);
        if (state != null) {
            current.getStatus().setContainerStatuses(List.of(new ContainerStatusBuilder()
                    .withName(IndexedTrainingJob.CONTAINER).withState(state).build()));
        }
        client.pods().inNamespace(NS).resource(current).updateStatus();
    }

    private static io.fabric8.kubernetes.api.model.ContainerState terminated(int exitCode, String reason, String message) {
        return new io.fabric8.kubernetes.api.model.ContainerStateBuilder().withNewTerminated().withExitCode(exitCode)
                .withReason(reason).withMessage(message).endTerminated().build();
    }

    private String logText(long id) {
        return String.join("\n", store.readLog(id, 0, 10_000).lines());
    }

    private void awaitGone(String name) {
        awaitTrue("the Job and Service deleted", () -> client.batch().v1().jobs().inNamespace(NS).withName(name).get() == null
                && client.services().inNamespace(NS).withName(name).get() == null);
    }

    private static <T> T await(String what, java.util.function.Supplier<T> value) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            T v = value.get();
            if (v != null) {
                return v;
            }
            sleep();
        }
        throw new AssertionError(what + ": not there within " + DEADLINE.toSeconds() + " s");
    }

    private static boolean awaitTrue(String what, BooleanSupplier condition) {
        return await(what, () -> condition.getAsBoolean() ? Boolean.TRUE : null);
    }

    private static void sleep() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
