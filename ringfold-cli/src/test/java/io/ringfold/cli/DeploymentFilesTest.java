package io.ringfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the deployment files under {@code deploy/} (issue 4, item 7) without a Docker engine or a
 * cluster: the manifests parse with the expected kinds, they use only the server's documented
 * endpoints, ports and flags, the image runs the serving command that deploy/README.md documents, and
 * the objects refer to each other consistently.
 *
 * <p>The endpoints, ports and flags below are the server's documented contract (issue 4, items 2, 5
 * and 6), written out here independently of the server's code; the serving module's own handler tests
 * (Netty {@code EmbeddedChannel}) and end-to-end tests cover that the server answers on them.
 */
class DeploymentFilesTest {

    private static final int HTTP_PORT = 8080;
    private static final int GRPC_PORT = 8081;
    /** The repository API and /metrics (--admin-port), kept off the public LoadBalancer. */
    private static final int ADMIN_PORT = 8082;
    private static final String LIVE = "/v2/health/live";
    private static final String READY = "/v2/health/ready";
    /** gRPC probes (grpc.health.v1): the whole server ("") is ready; the "liveness" service is live. */
    private static final String GRPC_READY = "grpc " + GRPC_PORT + " ''";
    private static final String GRPC_LIVE = "grpc " + GRPC_PORT + " 'liveness'";
    private static final String METRICS = "/metrics";
    private static final Set<String> SERVE_FLAGS = Set.of("--repository", "--model-dir", "--model-name", "--port",
            "--grpc-port", "--poll-seconds", "--batch-max-size", "--batch-max-delay-us", "--drain-seconds", "--grace-seconds",
            "--auth-token-file", "--admin-port", "--log-format");
    private static final String MODEL_DIR = "/models";
    /** The image's user; Kubernetes' runAsNonRoot needs it numeric. */
    private static final int IMAGE_UID = 10001;

    /** The serving command: the `./ringfold` launcher's `java` line with the image's jar path. */
    private static final List<String> JAVA_PREFIX =
            List.of("java", "--add-modules", "jdk.incubator.vector", "-jar", "/app/ringfold.jar");
    private static final List<String> SERVE_ARGS = List.of("serve", "--repository", MODEL_DIR,
            "--port", String.valueOf(HTTP_PORT), "--grpc-port", String.valueOf(GRPC_PORT));

    private static final Path DEPLOY = findDeployDirectory();
    private static final Path KUBERNETES = DEPLOY.resolve("kubernetes");
    /** The kustomize base: the inference server and the job service (overlays/ and training/ beside it). */
    private static final Path BASE = KUBERNETES.resolve("base");
    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyManifestParsesWithItsKindAndTheKustomizationListsThem() throws IOException {
        Map<String, String> expected = Map.ofEntries(
                Map.entry("base/deployment.yaml", "apps/v1 Deployment"),
                Map.entry("base/service.yaml", "v1 Service"),
                Map.entry("base/service-internal.yaml", "v1 Service"),
                Map.entry("base/serving-networkpolicy.yaml", "networking.k8s.io/v1 NetworkPolicy"),
                Map.entry("base/pdb.yaml", "policy/v1 PodDisruptionBudget"),
                Map.entry("base/hpa.yaml", "autoscaling/v2 HorizontalPodAutoscaler"),
                Map.entry("base/model-repository-pvc.yaml", "v1 PersistentVolumeClaim"),
                Map.entry("base/jobs-deployment.yaml", "apps/v1 Deployment"),
                Map.entry("base/jobs-service.yaml", "v1 Service"),
                Map.entry("base/jobs-data-pvc.yaml", "v1 PersistentVolumeClaim"),
                Map.entry("base/jobs-serviceaccount.yaml", "v1 ServiceAccount"),
                Map.entry("base/jobs-role.yaml", "rbac.authorization.k8s.io/v1 Role"),
                Map.entry("base/jobs-rolebinding.yaml", "rbac.authorization.k8s.io/v1 RoleBinding"),
                Map.entry("base/jobs-networkpolicy.yaml", "networking.k8s.io/v1 NetworkPolicy"),
                Map.entry("base/kustomization.yaml", "kustomize.config.k8s.io/v1beta1 Kustomization"));
        Map<String, String> actual = new HashMap<>();
        try (Stream<Path> files = Files.walk(BASE)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).collect(Collectors.toList())) {
                JsonNode doc = yaml(file);
                actual.put(KUBERNETES.relativize(file).toString(), doc.path("apiVersion").asText() + " " + doc.path("kind").asText());
            }
        }
        assertThat(actual).isEqualTo(expected);

        // Everything in base/ is applied by `kubectl apply -k` (through an overlay).
        List<String> resources = new ArrayList<>();
        yaml(BASE.resolve("kustomization.yaml")).path("resources").forEach(r -> resources.add("base/" + r.asText()));
        assertThat(resources).containsExactlyInAnyOrderElementsOf(expected.keySet().stream()
                .filter(name -> !name.endsWith("kustomization.yaml")).collect(Collectors.toList()));
    }

    @Test
    void probesAndScrapeAnnotationsUseTheServersEndpointsAndPorts() throws IOException {
        JsonNode pod = deployment().path("spec").path("template");
        JsonNode container = serverContainer();
        assertThat(probe(container, "readinessProbe")).isIn(READY + " " + HTTP_PORT, GRPC_READY);
        assertThat(probe(container, "livenessProbe")).isIn(LIVE + " " + HTTP_PORT, GRPC_LIVE);
        assertThat(probe(container, "startupProbe")).isIn(LIVE + " " + HTTP_PORT, READY + " " + HTTP_PORT, GRPC_LIVE, GRPC_READY);
        // Kubernetes' gRPC probes (>= 1.24), which the Deployment uses (the HTTP ones are equivalent).
        assertThat(probe(container, "readinessProbe")).isEqualTo(GRPC_READY);
        assertThat(probe(container, "livenessProbe")).isEqualTo(GRPC_LIVE);

        JsonNode annotations = pod.path("metadata").path("annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo(METRICS);
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(ADMIN_PORT));

        assertThat(containerPorts(container)).isEqualTo(Map.of("http", HTTP_PORT, "grpc", GRPC_PORT, "admin", ADMIN_PORT));
    }

    @Test
    void containerArgumentsAreTheImagesServeCommandWithDocumentedFlagsOnly() throws IOException {
        JsonNode container = serverContainer();
        List<String> args = strings(container.path("args"));
        assertThat(container.has("command")).as("command overrides the image's ENTRYPOINT").isFalse();
        assertThat(args.subList(0, SERVE_ARGS.size())).isEqualTo(SERVE_ARGS);
        // The real command line must accept exactly these arguments (parsed, not run).
        new picocli.CommandLine(new RingfoldCommand()).parseArgs(args.toArray(String[]::new));
        for (int i = 1; i < args.size(); i += 2) {
            assertThat(SERVE_FLAGS).as("flag at args[%d]", i).contains(args.get(i));
        }
        assertThat(args.size() % 2).as("every flag has a value: %s", args).isEqualTo(1);

        // The model volume is mounted, read-only, where --repository points.
        JsonNode mount = find(container.path("volumeMounts"), "name", "model-repository");
        assertThat(mount.path("mountPath").asText()).isEqualTo(MODEL_DIR);
        assertThat(mount.path("readOnly").asBoolean()).isTrue();
    }

    @Test
    void theImageRunsTheServeCommandTheReadmeDocuments() throws IOException {
        Dockerfile docker = Dockerfile.parse(Files.readString(DEPLOY.resolve("Dockerfile")));
        List<String> command = new ArrayList<>(docker.execForm("ENTRYPOINT"));
        command.addAll(docker.execForm("CMD"));
        List<String> expected = new ArrayList<>(JAVA_PREFIX);
        expected.addAll(SERVE_ARGS);
        assertThat(command).isEqualTo(expected);

        String readme = Files.readString(DEPLOY.resolve("README.md"));
        assertThat(readme).contains("\n" + String.join(" ", expected) + "\n");
        assertThat(readme).contains("\n./ringfold " + String.join(" ", SERVE_ARGS) + "\n");
    }

    @Test
    void theImageIsMultiStageNonRootAndExposesTheServersPorts() throws IOException {
        Dockerfile docker = Dockerfile.parse(Files.readString(DEPLOY.resolve("Dockerfile")));
        assertThat(docker.all("FROM")).hasSize(2);
        assertThat(docker.all("FROM").get(0)).endsWith(" AS build");
        assertThat(docker.all("RUN")).anySatisfy(run -> assertThat(run).contains("mvn -B -DskipTests package -pl ringfold-cli -am"));
        assertThat(docker.last("USER")).isEqualTo(IMAGE_UID + ":" + IMAGE_UID);
        assertThat(docker.last("EXPOSE")).isEqualTo(HTTP_PORT + " " + GRPC_PORT);
        assertThat(docker.last("VOLUME")).isEqualTo("[\"" + MODEL_DIR + "\"]");
        assertThat(docker.last("ENV")).startsWith("JDK_JAVA_OPTIONS=");
        String healthcheck = docker.last("HEALTHCHECK");
        assertThat(healthcheck).contains("\"HealthCheck\", \"http://127.0.0.1:" + HTTP_PORT + LIVE + "\"]");
        assertThat(docker.all("COPY")).contains("--from=build --chown=root:root /src/healthcheck /app/healthcheck");
    }

    @Test
    void podRunsAsTheImagesNonRootUserWithAReadOnlyRootAndBoundedResources() throws IOException {
        JsonNode podSpec = deployment().path("spec").path("template").path("spec");
        JsonNode podSecurity = podSpec.path("securityContext");
        assertThat(podSecurity.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(podSecurity.path("runAsUser").asInt()).isEqualTo(IMAGE_UID);

        JsonNode container = serverContainer();
        JsonNode security = container.path("securityContext");
        assertThat(security.path("allowPrivilegeEscalation").isBoolean()).isTrue();
        assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(strings(security.path("capabilities").path("drop"))).containsExactly("ALL");
        // A read-only root needs a writable /tmp for the JVM.
        assertThat(find(container.path("volumeMounts"), "mountPath", "/tmp").path("name").asText()).isEqualTo("tmp");

        JsonNode resources = container.path("resources");
        for (String resource : List.of("cpu", "memory")) {
            double request = quantity(resources.path("requests").path(resource).asText());
            double limit = quantity(resources.path("limits").path(resource).asText());
            assertThat(request).as("requests.%s", resource).isPositive();
            assertThat(limit).as("limits.%s", resource).isGreaterThanOrEqualTo(request);
        }
    }

    @Test
    void threeReplicasBehindALoadBalancerThatSelectsThePods() throws IOException {
        JsonNode deployment = deployment();
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(3);
        JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
        assertThat(selects(deployment.path("spec").path("selector").path("matchLabels"), podLabels)).isTrue();

        JsonNode service = yaml(BASE.resolve("service.yaml")).path("spec");
        assertThat(service.path("type").asText()).isEqualTo("LoadBalancer");
        assertThat(selects(service.path("selector"), podLabels)).isTrue();
        Map<String, Integer> containerPorts = containerPorts(serverContainer());
        Map<Integer, Integer> servicePorts = new HashMap<>();
        service.path("ports").forEach(p -> servicePorts.put(p.path("port").asInt(), resolvePort(p.path("targetPort"), containerPorts)));
        assertThat(servicePorts).isEqualTo(Map.of(HTTP_PORT, HTTP_PORT, GRPC_PORT, GRPC_PORT));
    }

    @Test
    void autoscalerAndDisruptionBudgetTargetTheDeployment() throws IOException {
        JsonNode deployment = deployment();
        JsonNode hpa = yaml(BASE.resolve("hpa.yaml")).path("spec");
        JsonNode target = hpa.path("scaleTargetRef");
        assertThat(target.path("apiVersion").asText() + " " + target.path("kind").asText() + " " + target.path("name").asText())
                .isEqualTo("apps/v1 Deployment " + deployment.path("metadata").path("name").asText());
        assertThat(hpa.path("minReplicas").asInt()).isEqualTo(deployment.path("spec").path("replicas").asInt());
        assertThat(hpa.path("maxReplicas").asInt()).isGreaterThan(hpa.path("minReplicas").asInt());
        JsonNode metric = hpa.path("metrics").path(0);
        assertThat(metric.path("type").asText() + " " + metric.path("resource").path("name").asText()).isEqualTo("Resource cpu");

        JsonNode pdb = yaml(BASE.resolve("pdb.yaml")).path("spec");
        JsonNode podLabels = deployment.path("spec").path("template").path("metadata").path("labels");
        assertThat(selects(pdb.path("selector").path("matchLabels"), podLabels)).isTrue();
        // A budget that allows no eviction at all would block every node drain.
        assertThat(pdb.path("maxUnavailable").asInt()).isGreaterThanOrEqualTo(1);
    }

    /**
     * SIGKILL must not come before the server's drain has run its course: the drain period, then the grace
     * for open connections (deploy/README.md, "Shutdown"), and any preStop hook before SIGTERM.
     */
    @Test
    void gracePeriodCoversTheServersDrainAndGrace() throws IOException {
        JsonNode podSpec = deployment().path("spec").path("template").path("spec");
        List<String> args = strings(serverContainer().path("args"));
        int drain = Integer.parseInt(args.get(args.indexOf("--drain-seconds") + 1));
        int grace = Integer.parseInt(args.get(args.indexOf("--grace-seconds") + 1));
        List<String> preStop = strings(serverContainer().path("lifecycle").path("preStop").path("exec").path("command"));
        int preStopSeconds = preStop.isEmpty() ? 0 : Integer.parseInt(preStop.get(1));
        assertThat(drain).as("--drain-seconds").isPositive();
        assertThat(podSpec.path("terminationGracePeriodSeconds").asInt()).isGreaterThan(preStopSeconds + drain + grace);
    }

    @Test
    void modelVolumeIsOneSharedClaimForServersAndLoader() throws IOException {
        JsonNode claim = yaml(BASE.resolve("model-repository-pvc.yaml"));
        String claimName = claim.path("metadata").path("name").asText();
        assertThat(strings(claim.path("spec").path("accessModes"))).containsExactly("ReadWriteMany");

        JsonNode serverVolume = find(deployment().path("spec").path("template").path("spec").path("volumes"), "name", "model-repository");
        assertThat(serverVolume.path("persistentVolumeClaim").path("claimName").asText()).isEqualTo(claimName);
        assertThat(serverVolume.path("persistentVolumeClaim").path("readOnly").asBoolean()).isTrue();

        JsonNode loader = yaml(KUBERNETES.resolve("tools/model-loader.yaml")).path("spec");
        assertThat(loader.path("volumes").path(0).path("persistentVolumeClaim").path("claimName").asText()).isEqualTo(claimName);
        assertThat(loader.path("securityContext").path("runAsUser").asInt()).isEqualTo(IMAGE_UID);
    }

    // --- KServe -------------------------------------------------------------------------------------

    /** KServe's conventions: the model is downloaded to /mnt/models; HTTP on 8080, gRPC on 8081. */
    private static final String KSERVE_MODEL_DIR = "/mnt/models";
    private static final Path KSERVE = DEPLOY.resolve("kserve");

    @Test
    void theServingRuntimeSpeaksV2OverHttpAndGrpcForRingfoldAndOnnxModels() {
        JsonNode runtime = yaml(KSERVE.resolve("servingruntime.yaml"));
        assertThat(runtime.path("apiVersion").asText() + " " + runtime.path("kind").asText())
                .isEqualTo("serving.kserve.io/v1alpha1 ServingRuntime");
        JsonNode spec = runtime.path("spec");
        assertThat(strings(spec.path("protocolVersions"))).containsExactly("v2", "grpc-v2");
        List<String> formats = new ArrayList<>();
        for (JsonNode f : spec.path("supportedModelFormats")) {
            formats.add(f.path("name").asText());
            assertThat(f.path("autoSelect").asBoolean()).as("%s autoSelect", f).isTrue();
        }
        assertThat(formats).containsExactlyInAnyOrder("ringfold", "onnx");
        assertThat(spec.path("annotations").path("prometheus.kserve.io/port").asText()).isEqualTo(String.valueOf(HTTP_PORT));
        assertThat(spec.path("annotations").path("prometheus.kserve.io/path").asText()).isEqualTo(METRICS);

        JsonNode containers = spec.path("containers");
        assertThat(containers.size()).as("containers").isEqualTo(1);
        JsonNode container = containers.path(0);
        assertThat(container.path("name").asText()).as("KServe's container name").isEqualTo("kserve-container");
        assertThat(probe(container, "readinessProbe")).isEqualTo(GRPC_READY);
        assertThat(probe(container, "livenessProbe")).isEqualTo(GRPC_LIVE);
        assertThat(container.path("securityContext").path("runAsUser").asInt()).isEqualTo(IMAGE_UID);
    }

    @Test
    void theServingRuntimeRunsTheImagesServeCommandOnKServesModelDirectory() {
        JsonNode container = yaml(KSERVE.resolve("servingruntime.yaml")).path("spec").path("containers").path(0);
        assertThat(container.has("command")).as("command overrides the image's ENTRYPOINT").isFalse();
        List<String> args = strings(container.path("args"));
        // One model's directory, served under the InferenceService's name, which KServe fills in for {{.Name}}.
        assertThat(args.subList(0, 9)).isEqualTo(List.of("serve", "--model-dir", KSERVE_MODEL_DIR, "--model-name",
                "{{.Name}}", "--port", String.valueOf(HTTP_PORT), "--grpc-port", String.valueOf(GRPC_PORT)));
        new picocli.CommandLine(new RingfoldCommand()).parseArgs(args.toArray(String[]::new));
        for (int i = 1; i < args.size(); i += 2) {
            assertThat(SERVE_FLAGS).as("flag at args[%d]", i).contains(args.get(i));
        }
        assertThat(args.size() % 2).as("every flag has a value: %s", args).isEqualTo(1);
        // A ServingRuntime cannot set terminationGracePeriodSeconds: the drain must fit Kubernetes' default 30 s.
        int drain = Integer.parseInt(args.get(args.indexOf("--drain-seconds") + 1));
        int grace = Integer.parseInt(args.get(args.indexOf("--grace-seconds") + 1));
        assertThat(drain + grace).as("drain + grace").isLessThan(30);
    }

    @Test
    void theInferenceServiceUsesTheRuntimeWithAFormatItServes() {
        JsonNode runtime = yaml(KSERVE.resolve("servingruntime.yaml"));
        JsonNode isvc = yaml(KSERVE.resolve("inferenceservice.yaml"));
        assertThat(isvc.path("apiVersion").asText() + " " + isvc.path("kind").asText())
                .isEqualTo("serving.kserve.io/v1beta1 InferenceService");
        JsonNode model = isvc.path("spec").path("predictor").path("model");
        assertThat(model.path("runtime").asText()).isEqualTo(runtime.path("metadata").path("name").asText());
        List<String> formats = new ArrayList<>();
        runtime.path("spec").path("supportedModelFormats").forEach(f -> formats.add(f.path("name").asText()));
        assertThat(formats).contains(model.path("modelFormat").path("name").asText());
        assertThat(strings(runtime.path("spec").path("protocolVersions"))).contains(model.path("protocolVersion").asText());
        assertThat(model.path("storageUri").asText()).matches("[a-z0-9]+://.+");
    }

    @Test
    void healthCheckExitsZeroOnlyOn200(@TempDir Path classes) throws Exception {
        int compiled = ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d", classes.toString(),
                DEPLOY.resolve("docker/HealthCheck.java").toString());
        assertThat(compiled).as("javac status").isZero();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(LIVE, exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext(READY, exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        server.start();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, null)) {
            Method check = loader.loadClass("HealthCheck").getDeclaredMethod("check", String.class);
            check.setAccessible(true);
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            assertThat(check.invoke(null, base + LIVE)).isEqualTo(0);
            assertThat(check.invoke(null, base + READY)).isEqualTo(1);
            assertThat(check.invoke(null, "http://127.0.0.1:" + closedPort + LIVE)).isEqualTo(1);
        } finally {
            server.stop(0);
        }
    }

    // --- the files ---------------------------------------------------------------------------------

    /** deploy/ of this checkout, from the module directory (Maven) or the repository root (an IDE). */
    private static Path findDeployDirectory() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (int up = 0; up < 3 && dir != null; up++, dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy/Dockerfile"))) {
                return dir.resolve("deploy");
            }
        }
        throw new IllegalStateException("deploy/Dockerfile: not found at or above " + System.getProperty("user.dir"));
    }

    private static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": not a YAML document", e);
        }
    }

    private static JsonNode deployment() {
        return yaml(BASE.resolve("deployment.yaml"));
    }

    private static JsonNode serverContainer() {
        JsonNode containers = deployment().path("spec").path("template").path("spec").path("containers");
        assertThat(containers.size()).as("containers").isEqualTo(1);
        return containers.path(0);
    }

    // --- reading the manifests ---------------------------------------------------------------------

    /**
     * "PATH PORT" of an httpGet probe, a named port resolved to its number, or "grpc PORT 'SERVICE'" of a gRPC
     * probe (whose port Kubernetes takes as a number only).
     */
    private static String probe(JsonNode container, String name) {
        JsonNode grpc = container.path(name).path("grpc");
        if (grpc.isObject()) {
            assertThat(grpc.path("port").isInt()).as("%s.grpc.port is a number: %s", name, grpc.path("port")).isTrue();
            return "grpc " + grpc.path("port").intValue() + " '" + grpc.path("service").asText("") + "'";
        }
        JsonNode httpGet = container.path(name).path("httpGet");
        assertThat(httpGet.isObject()).as("%s.httpGet", name).isTrue();
        return httpGet.path("path").asText() + " " + resolvePort(httpGet.path("port"), containerPorts(container));
    }

    private static Map<String, Integer> containerPorts(JsonNode container) {
        Map<String, Integer> ports = new HashMap<>();
        container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").intValue()));
        return ports;
    }

    private static int resolvePort(JsonNode port, Map<String, Integer> named) {
        if (port.isInt()) {
            return port.intValue();
        }
        assertThat(named).as("named port %s", port).containsKey(port.asText());
        return named.get(port.asText());
    }

    /** Whether a label selector (matchLabels or a Service's selector) selects pods with these labels. */
    private static boolean selects(JsonNode selector, JsonNode labels) {
        assertThat(selector.size()).as("selector %s", selector).isPositive();
        Map<String, String> wanted = new HashMap<>();
        selector.properties().forEach(e -> wanted.put(e.getKey(), e.getValue().asText()));
        return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.path(e.getKey()).asText(null)));
    }

    private static JsonNode find(JsonNode list, String field, String value) {
        for (JsonNode item : list) {
            if (value.equals(item.path(field).asText())) {
                return item;
            }
        }
        throw new AssertionError(field + ": " + value + " (expected in " + list + ")");
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    /** A Kubernetes quantity in base units: cores for "500m"/"2", bytes for "1Gi"/"256Mi". */
    private static double quantity(String text) {
        Map<String, Double> suffixes = Map.of("m", 1e-3, "Ki", 0x1p10, "Mi", 0x1p20, "Gi", 0x1p30, "Ti", 0x1p40);
        for (Map.Entry<String, Double> suffix : suffixes.entrySet()) {
            if (text.endsWith(suffix.getKey())) {
                return Double.parseDouble(text.substring(0, text.length() - suffix.getKey().length())) * suffix.getValue();
            }
        }
        return Double.parseDouble(text);
    }

    /** A Dockerfile as its instructions: continuation lines joined, comments and blank lines dropped. */
    private record Dockerfile(List<String[]> instructions) {

        static Dockerfile parse(String text) {
            List<String[]> instructions = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : text.split("\n")) {
                String trimmed = line.strip();
                if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                    continue;
                }
                boolean continues = trimmed.endsWith("\\");
                current.append(continues ? trimmed.substring(0, trimmed.length() - 1).strip() : trimmed).append(' ');
                if (!continues) {
                    String instruction = current.toString().strip();
                    int space = instruction.indexOf(' ');
                    instructions.add(new String[] {instruction.substring(0, space), instruction.substring(space + 1).strip()});
                    current.setLength(0);
                }
            }
            return new Dockerfile(instructions);
        }

        List<String> all(String keyword) {
            List<String> values = new ArrayList<>();
            for (String[] instruction : instructions) {
                if (instruction[0].equals(keyword)) {
                    values.add(instruction[1]);
                }
            }
            return values;
        }

        /** The last one counts in Docker; there must be one. */
        String last(String keyword) {
            List<String> values = all(keyword);
            assertThat(values).as("%s instructions", keyword).isNotEmpty();
            return values.get(values.size() - 1);
        }

        /** An exec-form (JSON array) instruction: a shell form would make sh, not java, PID 1. */
        List<String> execForm(String keyword) throws IOException {
            JsonNode array = JSON.readTree(last(keyword));
            assertThat(array.isArray()).as("%s in exec form: %s", keyword, last(keyword)).isTrue();
            return strings(array);
        }
    }
}
