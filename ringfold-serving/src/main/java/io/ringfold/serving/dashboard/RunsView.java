package io.ringfold.serving.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.io.ModelFile;
import io.ringfold.io.ModelLimits;
import io.ringfold.model.ModelCodec;
import io.ringfold.runs.FileRunStore;
import io.ringfold.runs.RunRecord;
import io.ringfold.train.EpochMetrics;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * The training runs recorded under the served repository, for the dashboard. A run record sits next to
 * the model it produced ({@code <repository>/<model>/<version>/run.json} and {@code epochs.jsonl}, written
 * by {@code ringfold train --out} and {@code ringfold quickstart}), so the server finds its runs by
 * walking the repository's tree (down to 8 levels, links not followed) and reading each record as
 * {@link FileRunStore} does. Records under a hidden directory (a quickstart's {@code .staging-*} while
 * it trains) are left out. A record that cannot be read (not a file, too large, not JSON, fields of the
 * wrong type) is listed apart as unreadable with its reason, and the others are listed all the same. One
 * run's view adds its epochs, the per-rank telemetry, and the confusion matrix and class names from the
 * model file beside it.
 */
public final class RunsView {

    private static final List<String> LIST_FIGURES = List.of("test_accuracy", "test_log_loss", "test_rmse", "test_r2",
            "workers", "stopped_early", "dp_epsilon", "dp_delta");
    /** As deep as {@link FileRunStore} looks. */
    private static final int MAX_DEPTH = 8;
    /** A record is kilobytes (arguments, summary, telemetry per rank); a megabyte is far beyond an honest one. */
    static final long MAX_RUN_BYTES = 1 << 20;
    /** An epoch is one line of a few hundred bytes: 8 MiB is tens of thousands of epochs. */
    static final long MAX_EPOCHS_BYTES = 8 << 20;

    private final Path root;

    /** The runs under the repository directory {@code root}. */
    public RunsView(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** A run directory found by the walk: its record, or why it could not be read. */
    private record Found(Path dir, RunRecord record, String error) {
    }

    /**
     * Every visible run, newest first, with its headline figures; records that could not be read are in
     * {@code unreadable}, each with its location and reason.
     */
    public ObjectNode list() throws IOException {
        ObjectNode out = ViewJson.MAPPER.createObjectNode();
        out.put("repository", root.toString());
        ArrayNode runs = out.putArray("runs");
        ArrayNode unreadable = out.putArray("unreadable");
        for (Found f : scan()) {
            if (f.record() == null) {
                ObjectNode n = place(ViewJson.MAPPER.createObjectNode(), f.dir());
                n.put("error", f.error());
                unreadable.add(n);
                continue;
            }
            RunRecord r = f.record();
            ObjectNode n = header(r);
            ObjectNode summary = r.summary();
            for (String fig : LIST_FIGURES) {
                if (summary.has(fig)) {
                    n.set(fig, summary.get(fig));
                }
            }
            runs.add(n);
        }
        return out;
    }

    /** The run whose id is exactly {@code id}, with everything the run page draws; empty when there is none. */
    public Optional<ObjectNode> run(String id) throws IOException {
        for (Found f : scan()) {
            if (f.record() != null && f.record().id().equals(id)) {
                return Optional.of(detail(f.record()));
            }
        }
        return Optional.empty();
    }

    /** Readable runs newest first, then the unreadable ones by location. */
    private List<Found> scan() throws IOException {
        List<Found> found = new ArrayList<>();
        for (Path dir : runDirectories()) {
            try {
                found.add(new Found(dir, read(dir), null));
            } catch (IOException | RuntimeException e) {
                found.add(new Found(dir, null, oneLine(e)));
            }
        }
        found.sort(Comparator.comparing((Found f) -> f.record() == null)
                .thenComparing(f -> f.record() == null ? "" : f.record().startedAt(), Comparator.reverseOrder())
                .thenComparing(f -> f.dir().toString()));
        return found;
    }

    /**
     * The directories holding an entry named run.json, whatever it is (a directory of that name is an
     * unreadable record, not nothing), outside hidden directories.
     */
    private List<Path> runDirectories() throws IOException {
        List<Path> dirs = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return dirs;
        }
        Files.walkFileTree(root, EnumSet.noneOf(FileVisitOption.class), MAX_DEPTH, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (isRunFile(dir)) {
                    dirs.add(dir.getParent());
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return !dir.equals(root) && dir.getFileName().toString().startsWith(".")
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (isRunFile(file)) {
                    dirs.add(file.getParent());
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                // A run.json whose attributes cannot be read is listed as unreadable (reading it says why); any
                // other entry the walk cannot open holds no run it could show, and the walk goes on past it.
                if (isRunFile(file)) {
                    dirs.add(file.getParent());
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return dirs;
    }

    private static boolean isRunFile(Path p) {
        return p.getFileName() != null && p.getFileName().toString().equals(FileRunStore.RUN_FILE);
    }

    /**
     * The record in {@code dir}, after the checks that keep one bad record from costing the list: plain
     * files (a link could lead to a device), bounded sizes, and the fields' JSON types.
     */
    private static RunRecord read(Path dir) throws IOException {
        Path file = dir.resolve(FileRunStore.RUN_FILE);
        requireSmallFile(file, MAX_RUN_BYTES);
        Path epochs = dir.resolve(FileRunStore.EPOCHS_FILE);
        if (Files.exists(epochs, LinkOption.NOFOLLOW_LINKS)) {
            requireSmallFile(epochs, MAX_EPOCHS_BYTES);
        }
        JsonNode n;
        try {
            n = ViewJson.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not a run record (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        requireType(file, n, "", JsonNode::isObject, "an object");
        requireType(file, n.path("id"), "id", v -> v.isTextual() && !v.textValue().isEmpty(), "a non-empty string");
        requireType(file, n.path("started_at"), "started_at", JsonNode::isTextual, "a string");
        requireType(file, n.path("duration_seconds"), "duration_seconds", JsonNode::isNumber, "a number");
        requireType(file, n.path("arguments"), "arguments", RunsView::isStringArray, "an array of strings");
        requireType(file, n.path("summary"), "summary", JsonNode::isObject, "an object");
        return FileRunStore.read(dir);
    }

    private static void requireSmallFile(Path file, long maxBytes) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isRegularFile()) {
            throw new IOException(file + ": " + (a.isDirectory() ? "a directory" : a.isSymbolicLink() ? "a symbolic link"
                    : "a special file") + " (expected: a regular file)");
        }
        if (a.size() > maxBytes) {
            throw new IOException(file + ": " + a.size() + " bytes (expected: at most " + maxBytes + ")");
        }
    }

    private static void requireType(Path file, JsonNode value, String field, java.util.function.Predicate<JsonNode> ok,
                                    String expected) throws IOException {
        if (!ok.test(value)) {
            throw new IOException(file + ": " + (field.isEmpty() ? "the record" : field) + " is "
                    + value.getNodeType().toString().toLowerCase(java.util.Locale.ROOT) + " (expected: " + expected + ")");
        }
    }

    private static boolean isStringArray(JsonNode v) {
        if (!v.isArray()) {
            return false;
        }
        for (JsonNode e : v) {
            if (!e.isTextual()) {
                return false;
            }
        }
        return true;
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replaceAll("\\s+", " ").trim();
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
                // Within the server's default limits: the dashboard must not be the way round them.
                ObjectNode header = ModelFile.read(file, ModelLimits.defaults()).header();
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

    /** Id, times, epochs, and where the record sits. */
    private ObjectNode header(RunRecord r) {
        ObjectNode n = ViewJson.MAPPER.createObjectNode();
        n.put("id", r.id());
        n.put("started_at", r.startedAt());
        n.put("duration_seconds", r.durationSeconds());
        n.put("epoch_count", r.epochs().size());
        return place(n, r.location());
    }

    /** Where a record sits: relative to the repository, with model and version when it is {@code <model>/<version>}. */
    private ObjectNode place(ObjectNode n, Path location) {
        Path loc = location.toAbsolutePath().normalize();
        Path rel = loc.startsWith(root) ? root.relativize(loc) : null;
        n.put("location", rel == null ? loc.toString() : rel.toString().replace('\\', '/'));
        if (rel != null && rel.getNameCount() == 2) {
            n.put("model", rel.getName(0).toString());
            n.put("version", rel.getName(1).toString());
        }
        return n;
    }
}
