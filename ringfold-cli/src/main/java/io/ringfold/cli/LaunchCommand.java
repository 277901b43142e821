package io.ringfold.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ringfold launch --nproc N -- train ...}: N local worker processes, like torchrun. It picks a
 * free loopback port for the rendezvous, adds {@code --rank i --world-size N --rendezvous ...} to each
 * worker's arguments, streams their output with a {@code [rank i]} prefix, and when one fails stops the
 * others, naming the rank that failed first with its pid and its exit status or signal; with
 * {@code --max-restarts K} it then starts all of them again (adding {@code --resume} when the command
 * checkpoints), at most K times. The last line of rank 0's output (the JSON result with {@code --json})
 * is repeated without prefix at the end. Launch exits with 0 when every worker did, else with the exit
 * status of the worker that failed first (128 + N for signal N).
 */
@Command(name = "launch", mixinStandardHelpOptions = true,
        description = {"Run a training command as N local worker processes (collectives through shared memory; "
                + "--transport tcp in the train command for loopback TCP).",
                "Example: ringfold launch --nproc 2 -- train --data digits --out models/digits --json"})
final class LaunchCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--nproc", required = true, description = "Number of worker processes.")
    int nproc;

    @Option(names = "--max-restarts", description = "Restart all workers from the last checkpoint up to K times "
            + "when one fails (default: 0).")
    int maxRestarts;

    @Option(names = "--port", description = "Rendezvous port on 127.0.0.1 (default: a free one).")
    Integer port;

    @Option(names = "--jvm-option", paramLabel = "OPTION", description = "An option for each worker's JVM, e.g. "
            + "--jvm-option=-Xmx2g (repeatable; default: the JVM's own defaults).")
    List<String> jvmOptions = new ArrayList<>();

    /** How long the other workers may take to fail by themselves (and say why) once one has failed. */
    private static final long STOP_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    @Parameters(paramLabel = "-- train ...", description = "The train command each worker runs.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        if (nproc <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--nproc: " + nproc + " (expected: > 0)");
        }
        if (maxRestarts < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--max-restarts: " + maxRestarts
                    + " (expected: >= 0)");
        }
        if (command.isEmpty() || !command.get(0).equals("train")) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "command: " + command
                    + " (expected: -- train ...)");
        }
        for (String option : jvmOptions) {
            if (!option.startsWith("-")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--jvm-option: " + option
                        + " (expected: a JVM option starting with '-', e.g. --jvm-option=-Xmx2g)");
            }
        }
        for (String forbidden : List.of("--rank", "--world-size", "--rendezvous", "--workers")) {
            if (command.contains(forbidden)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), forbidden
                        + " in the worker command (expected: none; launch sets the ranks)");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<String> args = new ArrayList<>(command);
        for (int attempt = 0; ; attempt++) {
            int p = port != null ? port : freePort();
            AtomicReference<String> lastRank0Line = new AtomicReference<>();
            WorkerExit failed = runOnce(args, p, out, err, lastRank0Line);
            if (failed == null) {
                if (args.contains("--json") && lastRank0Line.get() != null) {
                    out.println(lastRank0Line.get());
                }
                return 0;
            }
            if (attempt >= maxRestarts) {
                err.println("ringfold: error: launch: " + failed.describe()
                        + (maxRestarts > 0 ? " after " + maxRestarts + " restart(s)" : "") + "; all workers stopped");
                return failed.status();
            }
            err.println("ringfold launch: " + failed.describe() + "; restarting all " + nproc + " workers (restart "
                    + (attempt + 1) + " of " + maxRestarts + ")");
            if (args.contains("--checkpoint-dir") && !args.contains("--resume")) {
                args.add("--resume");
            }
        }
    }

    /**
     * Starts all workers; returns null when all exit 0, else the worker that failed first, after stopping
     * the rest (whose own failures follow from it, and whose kill by this method is not theirs to report).
     */
    private WorkerExit runOnce(List<String> args, int port, PrintWriter out, PrintWriter err,
                               AtomicReference<String> lastRank0Line) throws IOException, InterruptedException {
        List<Process> procs = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        // In the order the processes end (each is reaped as it exits), not the order of a poll: the killed
        // worker comes before the peers that fail because it died.
        BlockingQueue<WorkerExit> exits = new LinkedBlockingQueue<>();
        try {
            for (int r = 0; r < nproc; r++) {
                List<String> cmd = new ArrayList<>(javaCommand(jvmOptions));
                cmd.addAll(args);
                cmd.addAll(List.of("--rank", Integer.toString(r), "--world-size", Integer.toString(nproc),
                        "--rendezvous", "127.0.0.1:" + port));
                ProcessBuilder pb = new ProcessBuilder(cmd);
                // The class path goes through the environment, not -cp: a long one (a test's, or an
                // unshaded install) would push the worker's own arguments past the 4 KiB of its command
                // line that ps and ProcessHandle.Info show on Linux.
                pb.environment().put("CLASSPATH", System.getProperty("java.class.path"));
                // Workers end with launch, even when it is killed outright, instead of waiting for a deadline.
                pb.environment().put(RingfoldCommand.PARENT_PID_ENV, Long.toString(ProcessHandle.current().pid()));
                Process proc = pb.start();
                procs.add(proc);
                int rank = r;
                proc.onExit().thenAccept(ended -> exits.add(new WorkerExit(rank, ended.pid(), ended.exitValue())));
                pumps.add(pump(proc.getInputStream(), "[rank " + r + "] ", out, rank == 0 ? lastRank0Line : null));
                pumps.add(pump(proc.getErrorStream(), "[rank " + r + "] ", err, null));
            }
            for (int ended = 0; ended < nproc; ended++) {
                WorkerExit e = exits.take(); // as long as training takes: each worker's collectives have deadlines
                if (e.status() != 0) {
                    // The others notice the lost peer within moments and print which it was and why: let
                    // them, for a while, before they are stopped.
                    long until = System.nanoTime() + STOP_GRACE_NANOS;
                    for (Process proc : procs) {
                        proc.waitFor(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
                    }
                    return e;
                }
            }
            return null;
        } finally {
            for (Process proc : procs) {
                proc.destroyForcibly();
            }
            for (Process proc : procs) {
                proc.waitFor(10, TimeUnit.SECONDS);
            }
            for (Thread t : pumps) {
                t.join(2000);
            }
        }
    }

    /** The same JVM and incubator module as this process, running the Ringfold main class (class path: CLASSPATH). */
    static List<String> javaCommand(List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", RingfoldCommand.class.getName()));
        return cmd;
    }

    private static Thread pump(InputStream in, String prefix, PrintWriter to, AtomicReference<String> last) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.startsWith("WARNING: Using incubator modules")) {
                        continue;
                    }
                    synchronized (to) {
                        to.println(prefix + line);
                        to.flush();
                    }
                    if (last != null) {
                        last.set(line);
                    }
                }
            } catch (IOException e) {
                synchronized (to) {
                    to.println(prefix + "(output lost: " + e.getMessage() + ")");
                }
            }
        }, "ringfold-launch-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
