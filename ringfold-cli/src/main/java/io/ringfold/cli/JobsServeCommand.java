package io.ringfold.cli;

import io.ringfold.jobs.http.JobsApi;
import io.ringfold.jobs.service.JobService;
import io.ringfold.jobs.service.JobServiceConfig;
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
                + "processes, finished models published into the serving repository.")
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
        Files.createDirectories(dataDir);
        try (JdbcJobStore jobs = store == null ? JobStores.openDataDir(dataDir) : JobStores.open(store)) {
            if (importRuns != null) {
                ImportReport r = jobs.importRuns(importRuns);
                w.println("imported run records from " + importRuns + ": " + r);
            }
            JobServiceConfig config = new JobServiceConfig(LaunchCommand.javaCommand(List.of()), dataDir, repository,
                    instanceId(dataDir), maxRunning, maxQueued, Duration.ofMillis(250), Duration.ofSeconds(30));
            JobService service = new JobService(jobs, config, TrainCommand::check).start();
            JobsApi api = JobsApi.start(service, host, port, token);
            w.println("ringfold jobs: serving /api/v1/jobs on http://" + host + ":" + api.port() + " (store "
                    + jobs + ", instance " + config.owner() + ", " + maxRunning + " at once"
                    + (repository == null ? "" : ", publishing into " + repository) + ")");
            w.flush();
            // Stopped by a signal: the hook stops the API, gives the running jobs back to the queue and closes the
            // store before the JVM halts (the main thread would not get the chance).
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                api.close();
                service.close();
                jobs.close();
                stopped.countDown();
            }, "ringfold-jobs-shutdown"));
            stopped.await();
        }
        return 0;
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
