package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.runs.FileRunStore;
import io.ringfold.runs.RunRecord;
import io.ringfold.train.EpochMetrics;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code ringfold runs [show ID]}: the training runs recorded next to models under a directory. */
@Command(name = "runs", mixinStandardHelpOptions = true,
        description = {"List the training runs recorded under --root (run.json next to each model),",
                "or show one: ringfold runs show ID."})
final class RunsCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--root", paramLabel = "DIR", description = "Where to look (default: the current directory).")
    Path root = Path.of(".");

    @Parameters(arity = "0..2", paramLabel = "show ID", description = "`show` and a run id (or a unique prefix).")
    List<String> show = List.of();

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        FileRunStore store = new FileRunStore(root);
        if (!show.isEmpty()) {
            if (show.size() != 2 || !show.get(0).equals("show")) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "arguments: " + show
                        + " (expected: none, or: show ID)");
            }
            RunRecord r = store.find(show.get(1));
            out.println("run " + r.id() + "  (" + r.location() + ")");
            out.println("started " + r.startedAt() + ", took " + String.format(Locale.ROOT, "%.1f s", r.durationSeconds()));
            out.println("command: ringfold " + String.join(" ", r.arguments()));
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r.summary()));
            for (EpochMetrics m : r.epochs()) {
                out.println(m.describe(r.epochs().size()));
            }
            return 0;
        }
        List<RunRecord> runs = store.list();
        if (runs.isEmpty()) {
            out.println("no runs under " + root.toAbsolutePath().normalize() + " (train writes run.json next to each model)");
            return 0;
        }
        out.printf(Locale.ROOT, "%-26s %-22s %7s %7s %-12s %s%n", "ID", "STARTED", "EPOCHS", "WORKERS", "TEST", "MODEL");
        for (RunRecord r : runs) {
            JsonNode s = r.summary();
            String test = s.has("test_accuracy") ? String.format(Locale.ROOT, "acc %.4f", s.get("test_accuracy").asDouble())
                    : s.has("test_rmse") ? String.format(Locale.ROOT, "rmse %.4f", s.get("test_rmse").asDouble()) : "-";
            out.printf(Locale.ROOT, "%-26s %-22s %7d %7d %-12s %s%n", r.id(), r.startedAt().substring(0, Math.min(19,
                    r.startedAt().length())), r.epochs().size(), s.path("workers").asInt(1), test, r.location());
        }
        return 0;
    }
}
