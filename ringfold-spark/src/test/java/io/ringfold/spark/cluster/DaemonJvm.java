package io.ringfold.spark.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One JVM started by the test cluster (a Spark Master or Worker), run through {@link OrphanGuard} with the
 * running JVM's own {@code java}, its output in a log file. Stopping it stops the processes it started
 * too (a Worker's executors).
 */
final class DaemonJvm {

    private final String name;
    private final Process process;
    private final Path log;

    private DaemonJvm(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} with {@code args} in a new JVM on {@code classpath}, with the extra
     * environment {@code env}, writing stdout and stderr to {@code log}.
     */
    static DaemonJvm start(String name, String mainClass, List<String> args, List<String> jvmOptions,
                           String classpath, Map<String, String> env, Path log) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(classpath);
        command.add(OrphanGuard.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(mainClass);
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(log.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        return new DaemonJvm(name, builder.start(), log);
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The live processes this JVM started, in no particular order. */
    List<ProcessHandle> children() {
        return process.children().filter(ProcessHandle::isAlive).toList();
    }

    /** The live processes this JVM started, and theirs, in no particular order. */
    List<ProcessHandle> descendants() {
        return process.descendants().filter(ProcessHandle::isAlive).toList();
    }

    /** The last {@code lines} lines of the log, for failure messages. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log " + log + " unreadable: " + e + ")";
        }
    }

    String describe() {
        return name + " (pid " + process.pid() + (process.isAlive() ? ", alive" : ", exit code "
                + process.exitValue()) + ", log " + log + ")";
    }

    /**
     * Asks the JVM to exit (SIGTERM, so Spark's shutdown hooks stop the executors it started), waits up to
     * {@code grace}, then kills it and every process it left behind (SIGKILL). Returns once all are gone or
     * {@code grace} has passed a second time.
     */
    void stop(Duration grace) throws InterruptedException {
        List<ProcessHandle> children = descendants();
        process.destroy();
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                long left = Math.max(1, deadline - System.nanoTime());
                try {
                    child.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                    child.destroyForcibly();
                }
            }
        }
        process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
    }
}
