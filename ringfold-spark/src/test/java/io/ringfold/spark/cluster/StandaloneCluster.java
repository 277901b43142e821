package io.ringfold.spark.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.launcher.JavaModuleOptions;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A Spark standalone cluster on this machine for tests: one Master and {@code workers} Workers, each a
 * separate JVM started from the test classpath; every Worker launches its executors as JVMs of their own,
 * with that classpath too (through {@code SPARK_DIST_CLASSPATH}), so test and ringfold classes run on
 * them as they would on a real cluster. All of it listens on 127.0.0.1 only.
 *
 * <p>Spark's Worker builds an executor's command from {@code SPARK_HOME}: it requires a {@code jars/}
 * directory there (empty here: the classpath comes from {@code SPARK_DIST_CLASSPATH}) and the Scala
 * version ({@code SPARK_SCALA_VERSION}, else it looks for a Spark source build); both are set in the
 * Workers' environment. {@code local-cluster} mode would need the same variables in the test JVM's own
 * environment, which a running JVM cannot set.
 *
 * <p>{@link #close()} stops Workers (and so their executors) and the Master, killing what does not exit
 * in time; a shutdown hook does the same if the test forgets, and {@link OrphanGuard} ends the daemons if
 * the test JVM is killed outright.
 */
public final class StandaloneCluster implements AutoCloseable {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final int MASTER_START_TRIES = 3;

    private final ClusterOptions options;
    private final Path directory;
    private final String masterUrl;
    private final DaemonJvm master;
    /** Filled while starting; read-only afterwards. */
    private final List<DaemonJvm> workers;
    private final Thread shutdownHook;
    private boolean closed;

    private StandaloneCluster(ClusterOptions options, Path directory, String masterUrl, DaemonJvm master) {
        this.options = options;
        this.directory = directory;
        this.masterUrl = masterUrl;
        this.master = master;
        this.workers = new CopyOnWriteArrayList<>();
        this.shutdownHook = new Thread(this::stopAll, "standalone-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts the Master, then the Workers, and returns once every Worker has registered with the Master.
     * Logs go to a new directory under {@link ClusterOptions#baseDirectory()}.
     */
    public static StandaloneCluster start(ClusterOptions options) throws IOException, InterruptedException {
        Path directory = options.baseDirectory().toAbsolutePath()
                .resolve("cluster-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet());
        Path jars = directory.resolve("spark-home").resolve("jars");
        Files.createDirectories(jars);
        String classpath = TestClasspath.joined();
        long deadline = System.nanoTime() + options.startTimeout().toNanos();

        DaemonJvm master = null;
        String masterUrl = null;
        int masterUiPort = -1;
        List<String> failures = new ArrayList<>();
        for (int attempt = 1; attempt <= MASTER_START_TRIES && master == null; attempt++) {
            int[] ports = freePorts(2);
            int port = ports[0];
            int uiPort = ports[1];
            // maxRetries 0: Spark would otherwise quietly move to the next port when ours was taken in
            // between, and the master URL would be wrong; a failed bind ends the JVM and we try again.
            DaemonJvm candidate = DaemonJvm.start("master", "org.apache.spark.deploy.master.Master",
                    List.of("--host", "127.0.0.1", "--port", Integer.toString(port),
                            "--webui-port", Integer.toString(uiPort)),
                    daemonJvmOptions(List.of("-Dspark.port.maxRetries=0")), classpath, daemonEnv(directory),
                    directory.resolve("master-" + attempt + ".log"));
            if (awaitListening(candidate, port, deadline)) {
                master = candidate;
                masterUrl = "spark://127.0.0.1:" + port;
                masterUiPort = uiPort;
            } else {
                failures.add(candidate.describe() + ":\n" + candidate.logTail(20));
                candidate.stop(STOP_GRACE);
            }
        }
        if (master == null) {
            throw new IllegalStateException("Spark master did not start in " + MASTER_START_TRIES
                    + " tries:\n" + String.join("\n", failures));
        }

        // From here on, close() stops whatever has started, also when start-up fails half-way.
        StandaloneCluster cluster = new StandaloneCluster(options, directory, masterUrl, master);
        try {
            for (int i = 0; i < options.workers(); i++) {
                Path workDir = Files.createDirectories(directory.resolve("worker-" + i));
                cluster.workers.add(DaemonJvm.start("worker-" + i, "org.apache.spark.deploy.worker.Worker",
                        List.of(masterUrl, "--host", "127.0.0.1", "--port", "0", "--webui-port", "0",
                                "--cores", Integer.toString(options.coresPerWorker()),
                                "--memory", options.memoryPerWorkerMb() + "m",
                                "--work-dir", workDir.toString()),
                        daemonJvmOptions(List.of()), classpath, workerEnv(directory, classpath),
                        directory.resolve("worker-" + i + ".log")));
            }
            cluster.awaitAliveWorkers(masterUiPort, deadline);
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    /** {@code spark://127.0.0.1:PORT}. */
    public String masterUrl() {
        return masterUrl;
    }

    public ClusterOptions options() {
        return options;
    }

    /** Where the logs are: {@code master-N.log}, {@code worker-I.log}, executors' logs under {@code worker-I/}. */
    public Path directory() {
        return directory;
    }

    /** PIDs of the Worker JVMs, in worker order. */
    public List<Long> workerPids() {
        return workers.stream().map(DaemonJvm::pid).toList();
    }

    /**
     * PIDs of the executor JVMs alive now, across all Workers, ascending: the Workers' child processes,
     * since a Worker starts nothing else for client-mode applications. (The JDK reports no command-line
     * arguments for other processes on Linux, so they cannot be told apart by main class.)
     */
    public List<Long> executorPids() {
        List<Long> pids = new ArrayList<>();
        for (DaemonJvm worker : workers) {
            for (ProcessHandle child : worker.children()) {
                pids.add(child.pid());
            }
        }
        pids.sort(null);
        return pids;
    }

    /**
     * Kills executor {@code pid} with SIGKILL, as {@code kill -9} would, and waits until it is gone. The
     * Worker then reports the loss and the Master starts a replacement executor.
     */
    public void killExecutor(long pid) throws InterruptedException {
        if (!executorPids().contains(pid)) {
            throw new IllegalArgumentException("pid: " + pid + " (expected: one of the executors "
                    + executorPids() + ")");
        }
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        handle.destroyForcibly();
        try {
            handle.onExit().get(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("executor pid " + pid + " still alive "
                    + STOP_GRACE.toSeconds() + " s after SIGKILL", e);
        }
    }

    /**
     * A session builder for this cluster: master URL, loopback driver, one executor of
     * {@link ClusterOptions#coresPerWorker()} cores and {@link ClusterOptions#memoryPerWorkerMb()} MB per
     * Worker, the test JVM's {@code --add-modules}/{@code -Xss} flags on the executors (Spark adds its own
     * {@code --add-opens}), and the failure settings in {@link ClusterOptions}. Callers may add or override
     * settings before {@code getOrCreate()}.
     */
    public SparkSession.Builder sessionBuilder(String appName) {
        return SparkSession.builder()
                .master(masterUrl)
                .appName(appName)
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.executor.cores", Integer.toString(options.coresPerWorker()))
                .config("spark.executor.memory", options.memoryPerWorkerMb() + "m")
                .config("spark.cores.max", Integer.toString(options.totalCores()))
                .config("spark.executor.extraJavaOptions", String.join(" ", forwardedJvmOptions()))
                // A killed executor fails its task once; a barrier stage is then retried as a whole,
                // up to maxConsecutiveAttempts times, and a task may fail up to maxFailures times in all.
                .config("spark.task.maxFailures", Integer.toString(options.taskMaxFailures()))
                .config("spark.stage.maxConsecutiveAttempts", Integer.toString(options.stageMaxAttempts()))
                // A barrier job submitted before every executor registered is re-checked after this
                // interval (default 15 s); sessions from startSession wait for executors anyway.
                .config("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s")
                .config("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "60")
                .config("spark.sql.shuffle.partitions", Integer.toString(options.totalCores()));
    }

    /** {@link #sessionBuilder} then {@code getOrCreate()}, returning once every Worker's executor registered. */
    public SparkSession startSession(String appName) {
        SparkSession session = sessionBuilder(appName).getOrCreate();
        String master = session.sparkContext().master();
        if (!master.equals(masterUrl)) {
            // getOrCreate hands back a running context unchanged; stopping it is its owner's business.
            throw new IllegalStateException("SparkContext on master " + master + " is still running (expected: "
                    + "none, so that a session on " + masterUrl + " can start)");
        }
        try {
            awaitExecutors(session, options.workers(), options.startTimeout());
        } catch (RuntimeException e) {
            session.stop();
            throw e;
        }
        return session;
    }

    /** Waits until {@code count} executors (the driver not counted) are registered with {@code session}. */
    public static void awaitExecutors(SparkSession session, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int registered;
        while ((registered = session.sparkContext().statusTracker().getExecutorInfos().length - 1) < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("executors: " + registered + " registered after "
                        + timeout.toSeconds() + " s (expected: " + count + ")");
            }
            sleep(Duration.ofMillis(100));
        }
    }

    /** Stops Workers (and their executors), then the Master; idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // Called from another shutdown hook: ours runs (or ran) anyway and finds everything stopped.
        }
    }

    private synchronized void stopAll() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            for (DaemonJvm worker : workers) {
                worker.stop(STOP_GRACE);
            }
            master.stop(STOP_GRACE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitAliveWorkers(int masterUiPort, long deadline) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + masterUiPort + "/json/"))
                .timeout(Duration.ofSeconds(5)).build();
        ObjectMapper json = new ObjectMapper();
        int alive = 0;
        while (System.nanoTime() < deadline) {
            assertDaemonsAlive();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    JsonNode state = json.readTree(response.body());
                    alive = state.path("aliveworkers").asInt(0);
                    if (alive >= options.workers()) {
                        return;
                    }
                }
            } catch (IOException notYet) {
                // The web UI binds a moment after the RPC port; keep polling until the deadline.
            }
            sleep(Duration.ofMillis(200));
        }
        throw new IllegalStateException("alive workers: " + alive + " after " + options.startTimeout().toSeconds()
                + " s (expected: " + options.workers() + ")\n" + daemonReport());
    }

    private void assertDaemonsAlive() {
        boolean allAlive = master.isAlive() && workers.stream().allMatch(DaemonJvm::isAlive);
        if (!allAlive) {
            throw new IllegalStateException("a cluster JVM exited during start-up\n" + daemonReport());
        }
    }

    private String daemonReport() {
        StringBuilder out = new StringBuilder();
        out.append(master.describe()).append(":\n").append(master.logTail(15)).append('\n');
        for (DaemonJvm worker : workers) {
            out.append(worker.describe()).append(":\n").append(worker.logTail(15)).append('\n');
        }
        return out.toString();
    }

    private static boolean awaitListening(DaemonJvm jvm, int port, long deadline) {
        while (System.nanoTime() < deadline && jvm.isAlive()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return true;
            } catch (IOException notYet) {
                sleep(Duration.ofMillis(100));
            }
        }
        return false;
    }

    /** {@code count} distinct loopback ports free a moment ago (all held open together, then released). */
    private static int[] freePorts(int count) {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        } finally {
            for (ServerSocket socket : sockets) {
                try {
                    socket.close();
                } catch (IOException e) {
                    throw new UncheckedIOException("closing probe socket on port " + socket.getLocalPort(), e);
                }
            }
        }
    }

    /** Flags for Master and Worker JVMs: Spark's own add-opens, a small heap, few threads, fast start. */
    private static List<String> daemonJvmOptions(List<String> extra) {
        List<String> opts = new ArrayList<>(Arrays.asList(JavaModuleOptions.defaultModuleOptionArray()));
        opts.addAll(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        opts.addAll(extra);
        return opts;
    }

    /** The test JVM's module and stack flags, which ringfold's code needs on executors as well. */
    static List<String> forwardedJvmOptions() {
        List<String> out = new ArrayList<>();
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-modules") || arg.startsWith("--enable-native-access")
                    || arg.startsWith("-Xss")) {
                out.add(arg);
            }
        }
        return out;
    }

    private static Map<String, String> daemonEnv(Path directory) {
        return Map.of("SPARK_HOME", directory.resolve("spark-home").toString(),
                "SPARK_LOCAL_IP", "127.0.0.1",
                "SPARK_SCALA_VERSION", "2.13");
    }

    private static Map<String, String> workerEnv(Path directory, String classpath) {
        Map<String, String> env = new java.util.HashMap<>(daemonEnv(directory));
        env.put("SPARK_DIST_CLASSPATH", classpath);
        return env;
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the test cluster", e);
        }
    }
}
