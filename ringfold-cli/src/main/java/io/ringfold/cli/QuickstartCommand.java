package io.ringfold.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.runs.FileRunStore;
import io.ringfold.runs.RunRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code ringfold quickstart}: the whole system on one machine with nothing to install — data-parallel
 * training of an MLP on the bundled digits with one worker per core (AllReduce between them), the model
 * written as the next version of {@code MODELS/digits/}, then the inference server on it. The version
 * directory is staged under a hidden name and renamed into place, so a run killed during training leaves
 * no version the server could see.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"Train an MLP on the bundled digits with one worker per core, add it as a new version",
                "under MODELS/digits/, and serve it (Ctrl-C stops gracefully)."})
final class QuickstartCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--models", paramLabel = "DIR", description = "Model repository (default: models).")
    Path models = Path.of("models");

    @Option(names = "--epochs", description = "Training epochs (default: 30).")
    int epochs = 30;

    @Option(names = "--workers", description = "Worker threads (default: one per core, at most 8).")
    Integer workers;

    @Option(names = "--seed", description = "Seed (default: 1).")
    long seed = 1;

    @Option(names = "--port", description = "HTTP port; the next free one is used when it is busy (default: 8080).")
    int port = 8080;

    @Option(names = "--grpc-port", description = "gRPC port; the next free one when busy (default: 8081).")
    int grpcPort = 8081;

    @Option(names = "--no-serve", description = "Stop after training (for scripts).")
    boolean noServe;

    @Override
    public Integer call() throws Exception {
        if (epochs <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--epochs: " + epochs + " (expected: > 0)");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int w = workers != null ? workers : Math.min(8, Runtime.getRuntime().availableProcessors());
        Path modelDir = models.resolve("digits");
        Files.createDirectories(modelDir);
        int version = nextVersion(modelDir);
        Path staging = modelDir.resolve(".staging-" + version + "-" + ProcessHandle.current().pid());
        List<String> train = new ArrayList<>(List.of("train", "--data", "digits", "--model", "mlp", "--hidden", "64",
                "--epochs", Integer.toString(epochs), "--batch-size", "64", "--lr", "0.005", "--seed", Long.toString(seed),
                "--workers", Integer.toString(w), "--out", staging.toString()));
        out.println("quickstart: training an MLP on the bundled digits with " + w + " worker" + (w == 1 ? "" : "s")
                + " (AllReduce between them); model version " + version);
        out.flush();
        int status = RingfoldCommand.execute(train.toArray(String[]::new), out, err);
        if (status != 0) {
            deleteTree(staging);
            return status;
        }
        Path target = modelDir.resolve(Integer.toString(version));
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        // The run record was written in the staging directory: point it at the model's final place.
        RunRecord run = FileRunStore.read(target);
        ObjectNode summary = run.summary();
        summary.put("model_path", target.resolve("model.rfm").toString());
        // Likewise its arguments: the model's directory is the version, not the staging directory it was built in.
        List<String> arguments = new ArrayList<>(run.arguments());
        int outAt = arguments.indexOf("--out");
        if (outAt >= 0 && outAt + 1 < arguments.size()) {
            arguments.set(outAt + 1, target.toString());
        }
        new FileRunStore(target).save(new RunRecord(run.id(), run.startedAt(), run.durationSeconds(), arguments,
                summary, run.epochs(), target));
        out.println("quickstart: model written to " + target.resolve("model.rfm") + " (run " + run.id() + ")");
        if (noServe) {
            out.println("quickstart: serve it with `./ringfold serve --repository " + models + "`; the dashboard is then at "
                    + dashboard(port));
            return 0;
        }
        int http = freePort(port, -1);
        int grpc = freePort(grpcPort, http);
        if (http != port || grpc != grpcPort) {
            out.println("quickstart: port " + (http != port ? port : grpcPort) + " is busy; using HTTP " + http
                    + " and gRPC " + grpc);
        }
        out.println("Try:");
        out.println("  curl -s -X POST localhost:" + http + "/v1/models/digits:predict -d '{\"instances\": [" + DIGIT_ZERO + "]}'");
        out.println("  curl -s -X POST localhost:" + http + "/v2/models/digits/infer -d '{\"inputs\": [{\"name\": \"input\", "
                + "\"shape\": [1, 64], \"datatype\": \"FP32\", \"data\": " + DIGIT_ZERO + "}]}'");
        out.println("Dashboard (models, this run's curves, live server metrics, a digit to paint): " + dashboard(http));
        out.flush();
        return RingfoldCommand.execute(new String[] {"serve", "--repository", models.toString(), "--port",
                Integer.toString(http), "--grpc-port", Integer.toString(grpc), "--poll-seconds", "5",
                // Interactive: Ctrl-C stops at once rather than serving on for load balancers there are none of.
                "--drain-seconds", "0"}, out, err);
    }

    /** The dashboard's address on this machine for the HTTP port {@code port}. */
    static String dashboard(int port) {
        return "http://localhost:" + port + "/ui/";
    }

    /** The first image of the digits data (a zero), as the examples' input row. */
    private static final String DIGIT_ZERO = "[0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,0,3,15,2,0,11,8,0,0,4,12,0,0,8,8,0,"
            + "0,5,8,0,0,9,8,0,0,4,11,0,1,12,7,0,0,2,14,5,10,12,0,0,0,0,6,13,10,0,0,0]";

    static int nextVersion(Path modelDir) throws IOException {
        int max = 0;
        try (Stream<Path> s = Files.list(modelDir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                if (name.matches("[0-9]{1,9}") && Files.isDirectory(p)) {
                    max = Math.max(max, Integer.parseInt(name));
                }
            }
        }
        return max + 1;
    }

    /** {@code wanted} if it can be bound, else the next free port above it (never {@code taken}). */
    private static int freePort(int wanted, int taken) throws IOException {
        for (int p = wanted; p < wanted + 50 && p <= 65535; p++) {
            if (p == taken) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName("0.0.0.0"))) {
                return p;
            } catch (IOException busy) {
                // in use: try the next one
            }
        }
        throw new IOException("ports " + wanted + ".." + (wanted + 49) + " are all busy (expected: a free port; use --port)");
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
