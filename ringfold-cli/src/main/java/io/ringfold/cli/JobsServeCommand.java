package io.ringfold.cli;

import io.ringfold.jobs.http.JobsApi;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.ringfold.jobs.service.JobService;
import io.ringfold.jobs.service.JobServiceConfig;
import io.ringfold.jobs.service.KubernetesConfig;
import io.ringfold.jobs.service.KubernetesEngine;
import io.ringfold.jobs.store.ImportReport;
import io.ringfold.jobs.store.JdbcJobStore;
import io.ringfold.jobs.store.JobStores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code ringfold jobs serve}: the long-running training job service. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the training job service: a REST API (/api/v1/jobs) over a job store, jobs run as train "
                + "processes (or as Indexed Jobs on Kubernetes, with --kubernetes-image), finished models published "
                + "into the serving repository.")
final class JobsServeCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", description = "HTTP port (default: 8600; 0 for any free one).")
    int port = 8600;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (default: 127.0.0.1).")
    String host = "127.0.0.1";

    @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "The service's own directory: the embedded store, its instance id, each job's working directory.")
    Path dataDir;

    @Option(names = "--repository", paramLabel = "DIR",
            description = "The serving repository finished jobs publish their models into (REPO/MODEL/VERSION).")
    Path repository;

    @Option(names = "--store", paramLabel = "JDBC_URL", description = "The job store: jdbc:postgresql://HOST/DB "
            + "(credentials in the URL or RINGFOLD_JOBS_DB_USER/PASSWORD) or jdbc:h2:...; default: H2 in --data-dir.")
    String store;

    @Option(names = "--auth-token-file", paramLabel = "FILE",
            description = "Require 'Authorization: Bearer <token>' on every API call; the token is read from FILE.")
    Path authTokenFile;

    @Option(names = "--max-running", paramLabel = "N", description = "Jobs run at once (default: 1).")
    int maxRunning = 1;

    @Option(names = "--max-queued", paramLabel = "N", description = "Jobs waiting at most; more get 503 (default: 100).")
    int maxQueued = 100;

    @Option(names = "--kubernetes-image", paramLabel = "IMAGE", description = "Run jobs of engine kubernetes as Indexed "
            + "Jobs whose pods run IMAGE (this image: its entrypoint is ringfold); without it they are refused.")
    String kubernetesImage;

    @Option(names = "--kubernetes-namespace", paramLabel = "NS", description = "Where the Jobs go (default: the "
            + "client's namespace: in a pod, its own; else the kubeconfig's, else default).")
    String kubernetesNamespace;

    @Option(names = "--kubernetes-service-account", paramLabel = "NAME",
            description = "The training pods' ServiceAccount (default: the namespace's default).")
    String kubernetesServiceAccount;

    @Option(names = "--kubernetes-volume-claim", paramLabel = "NAME", description = "The PersistentVolumeClaim the pods "
            + "write --out and checkpoints on; this service must mount it at --kubernetes-volume-dir too (default: "
            + "ringfold-models).")
    String kubernetesVolumeClaim = "ringfold-models";

    @Option(names = "--kubernetes-volume-dir", paramLabel = "DIR", description = "Where the claim is mounted, in the pods "
            + "and in this service (default: /volume); a job's default --out is DIR/jobs/ID/model.")
    Path kubernetesVolumeDir = Path.of("/volume");

    @Option(names = "--kubernetes-cpu", paramLabel = "QUANTITY", description = "Each pod's CPU request and limit (e.g. 2).")
    String kubernetesCpu;

    @Option(names = "--kubernetes-memory", paramLabel = "QUANTITY",
            description = "Each pod's memory request and limit (e.g. 2Gi).")
    String kubernetesMemory;

    @Option(names = "--kubernetes-start-timeout", paramLabel = "SECONDS", description = "How long a job's pods may take "
            + "to run (scheduling, image pull) before it fails (default: 600).")
    int kubernetesStartTimeout = 600;

    @Option(names = "--import-runs", paramLabel = "DIR", description = "Read the run records under DIR (train's "
            + "run.json files) into the store as finished jobs, once each.")
    Path importRuns;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        if (maxRunning < 1 || maxQueued < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), (maxRunning < 1 ? "--max-running: "
                    + maxRunning : "--max-queued: " + maxQueued) + " (expected: > 0)");
        }
        String token = authTokenFile == null ? null : JobsClientCommands.token(authTokenFile);
        // Built before the store opens, so that a bad flag is told at once; building connects to nothing.
        KubernetesClient kubernetes = kubernetesImage == null ? null : new KubernetesClientBuilder().build();
        KubernetesEngine engine = engine(kubernetes);
        Files.createDirectories(dataDir);
        try (JdbcJobStore jobs = store == null ? JobStores.openDataDir(dataDir) : JobStores.open(store)) {
            if (importRuns != null) {
                ImportReport r = jobs.importRuns(importRuns);
                w.println("imported run records from " + importRuns + ": " + r);
            }
            JobServiceConfig config = new JobServiceConfig(LaunchCommand.javaCommand(List.of()), dataDir, repository,
                    instanceId(dataDir), maxRunning, maxQueued, Duration.ofMillis(250), Duration.ofSeconds(30));
            JobService service = new JobService(jobs, config, JobArguments::check, engine).start();
            JobsApi api = JobsApi.start(service, host, port, token);
            w.println("ringfold jobs: serving /api/v1/jobs on http://" + host + ":" + api.port() + " (store "
                    + jobs + ", instance " + config.owner() + ", " + maxRunning + " at once"
                    + (repository == null ? "" : ", publishing into " + repository)
                    + (engine == null ? "" : ", kubernetes jobs in namespace " + engine.config().namespace()) + ")");
            w.flush();
            // Stopped by a signal: the hook stops the API, gives the running jobs back to the queue and closes the
            // store before the JVM halts (the main thread would not get the chance).
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                api.close();
                service.close();
                if (kubernetes != null) {
                    kubernetes.close();
                }
                jobs.close();
                stopped.countDown();
            }, "ringfold-jobs-shutdown"));
            stopped.await();
        }
        return 0;
    }

    /** The kubernetes engine the flags ask for, or null without --kubernetes-image (and then no --kubernetes-* flag). */
    private KubernetesEngine engine(KubernetesClient client) {
        if (client == null) {
            for (picocli.CommandLine.Model.OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
                if (o.longestName().startsWith("--kubernetes-")) {
                    throw new picocli.CommandLine.ParameterException(spec.commandLine(), o.longestName()
                            + " without --kubernetes-image (expected: the image, to run jobs of engine kubernetes)");
                }
            }
            return null;
        }
        String namespace = kubernetesNamespace != null ? kubernetesNamespace
                : client.getNamespace() != null ? client.getNamespace() : "default";
        try {
            return new KubernetesEngine(client, new KubernetesConfig(namespace, kubernetesImage, kubernetesServiceAccount,
                    kubernetesVolumeClaim, kubernetesVolumeDir, kubernetesCpu, kubernetesMemory,
                    Duration.ofSeconds(kubernetesStartTimeout), Duration.ofSeconds(5)));
        } catch (IllegalArgumentException e) {
            client.close();
            // KubernetesConfig names its fields as the flags do, after the prefix.
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--kubernetes-" + e.getMessage());
        }
    }

    /** This service's instance id, kept in the data directory, so that after a restart it knows its own jobs. */
    private static String instanceId(Path dataDir) throws java.io.IOException {
        Path file = dataDir.resolve("instance-id");
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        String id = "jobs-" + UUID.randomUUID().toString().substring(0, 8);
        Files.writeString(file, id);
        return id;
    }
}
