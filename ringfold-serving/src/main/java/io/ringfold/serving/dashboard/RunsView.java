package io.ringfold.serving.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.io.ModelFile;
import io.ringfold.model.ModelCodec;
import io.ringfold.runs.FileRunStore;
import io.ringfold.runs.RunRecord;
import io.ringfold.runs.RunStore;
import io.ringfold.train.EpochMetrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The training runs recorded under the served repository, for the dashboard. A run record sits next to
 * the model it produced ({@code <repository>/<model>/<version>/run.json} and {@code epochs.jsonl}, written
 * by {@code ringfold train --out} and {@code ringfold quickstart}), so the server finds its runs by
 * reading the repository's tree through a {@link FileRunStore} rooted there. Records under a hidden
 * directory (a quickstart's {@code .staging-*} while it trains) are left out. One run's view adds its
 * epochs, the per-rank telemetry, and the confusion matrix and class names from the model file beside it.
 */
public final class RunsView {

    private static final List<String> LIST_FIGURES = List.of("test_accuracy", "test_log_loss", "test_rmse", "test_r2",
            "workers", "stopped_early");

    private final Path root;
    private final RunStore store;

    /** The runs under the repository directory {@code root}. */
    public RunsView(Path root) {
        this(root, new FileRunStore(root));
    }

    public RunsView(Path root, RunStore store) {
        this.root = root.toAbsolutePath().normalize();
        this.store = store;
    }

    /** Every visible run, newest first, with its headline figures. */
    public ObjectNode list() throws IOException {
        ObjectNode out = ViewJson.MAPPER.createObjectNode();
        out.put("repository", root.toString());
        ArrayNode runs = out.putArray("runs");
        for (RunRecord r : store.list()) {
            if (hidden(r)) {
                continue;
            }
            ObjectNode n = header(r);
            ObjectNode summary = r.summary();
            for (String f : LIST_FIGURES) {
                if (summary.has(f)) {
                    n.set(f, summary.get(f));
                }
            }
            runs.add(n);
        }
        return out;
    }

    /** The run whose id is exactly {@code id}, with everything the run page draws; empty when there is none. */
    public Optional<ObjectNode> run(String id) throws IOException {
        for (RunRecord r : store.list()) {
            if (r.id().equals(id) && !hidden(r)) {
                return Optional.of(detail(r));
            }
        }
        return Optional.empty();
    }

    private ObjectNode detail(RunRecord r) {
        ObjectNode n = header(r);
        ArrayNode args = n.putArray("arguments");
        r.arguments().forEach(args::add);
        ObjectNode summary = r.summary();
        n.set("summary", summary);
        ArrayNode epochs = n.putArray("epochs");
        for (EpochMetrics m : r.epochs()) {
            epochs.add(m.toJson());
        }
        JsonNode telemetry = summary.get("telemetry");
        n.set("telemetry", telemetry != null && telemetry.isArray() ? telemetry : ViewJson.MAPPER.createArrayNode());
        Path file = r.location().resolve(ModelCodec.FILE_NAME);
        if (Files.isRegularFile(file)) {
            try {
                ObjectNode header = ModelFile.read(file).header();
                n.set("evaluation", header.path("evaluation").isObject() ? header.get("evaluation")
                        : ViewJson.MAPPER.createObjectNode());
                n.set("class_names", header.path("class_names").isArray() ? header.get("class_names")
                        : ViewJson.MAPPER.createArrayNode());
            } catch (IOException e) {
                n.put("evaluation_error", file + ": " + e.getMessage());
            }
        } else {
            n.put("evaluation_error", file + ": no model file next to the run record");
        }
        return n;
    }

    /** Id, times, epochs, and where the record sits: relative to the repository, with model and version when it is {@code <model>/<version>}. */
    private ObjectNode header(RunRecord r) {
        ObjectNode n = ViewJson.MAPPER.createObjectNode();
        n.put("id", r.id());
        n.put("started_at", r.startedAt());
        n.put("duration_seconds", r.durationSeconds());
        n.put("epoch_count", r.epochs().size());
        Path rel = relative(r);
        n.put("location", rel == null ? r.location().toString() : rel.toString().replace('\\', '/'));
        if (rel != null && rel.getNameCount() == 2) {
            n.put("model", rel.getName(0).toString());
            n.put("version", rel.getName(1).toString());
        }
        return n;
    }

    private Path relative(RunRecord r) {
        Path loc = r.location().toAbsolutePath().normalize();
        return loc.startsWith(root) ? root.relativize(loc) : null;
    }

    private boolean hidden(RunRecord r) {
        Path rel = relative(r);
        if (rel == null) {
            return false;
        }
        for (Path p : rel) {
            if (p.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }
}
