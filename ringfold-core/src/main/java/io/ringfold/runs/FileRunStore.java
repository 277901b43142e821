package io.ringfold.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.train.EpochMetrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Run records as files next to each model: {@value #RUN_FILE} (the record without its epochs) and
 * {@value #EPOCHS_FILE} (one JSON object per epoch). Each is written to a temporary file and renamed, so
 * a reader never sees half a record. Listing walks the directory tree under {@code root}.
 */
public final class FileRunStore implements RunStore {

    public static final String RUN_FILE = "run.json";
    public static final String EPOCHS_FILE = "epochs.jsonl";
    private static final int MAX_DEPTH = 8;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    public FileRunStore(Path root) {
        this.root = root;
    }

    @Override
    public void save(RunRecord r) throws IOException {
        Files.createDirectories(r.location());
        ObjectNode n = JSON.createObjectNode();
        n.put("id", r.id());
        n.put("started_at", r.startedAt());
        n.put("duration_seconds", r.durationSeconds());
        ArrayNode args = n.putArray("arguments");
        r.arguments().forEach(args::add);
        n.set("summary", r.summary());
        StringBuilder lines = new StringBuilder();
        for (EpochMetrics m : r.epochs()) {
            lines.append(m.toJson()).append('\n');
        }
        write(r.location().resolve(EPOCHS_FILE), lines.toString());
        write(r.location().resolve(RUN_FILE), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
    }

    private static void write(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public List<RunRecord> list() throws IOException {
        List<RunRecord> runs = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return runs;
        }
        try (Stream<Path> s = Files.find(root, MAX_DEPTH, (p, a) -> a.isRegularFile()
                && p.getFileName().toString().equals(RUN_FILE))) {
            for (Path p : (Iterable<Path>) s::iterator) {
                runs.add(read(p.getParent()));
            }
        }
        runs.sort(Comparator.comparing(RunRecord::startedAt).reversed());
        return runs;
    }

    @Override
    public RunRecord find(String idOrPrefix) throws IOException {
        List<RunRecord> matches = new ArrayList<>();
        for (RunRecord r : list()) {
            if (r.id().startsWith(idOrPrefix)) {
                matches.add(r);
            }
        }
        if (matches.size() != 1) {
            throw new IllegalArgumentException("run " + idOrPrefix + ": " + matches.size() + " runs match under " + root
                    + " (expected: exactly one; see `ringfold runs`)");
        }
        return matches.get(0);
    }

    /** Reads the record in {@code dir}; a malformed file is an error naming it. */
    public static RunRecord read(Path dir) throws IOException {
        Path file = dir.resolve(RUN_FILE);
        JsonNode n;
        try {
            n = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not a run record (" + e.getMessage().lines().findFirst().orElse("") + ")", e);
        }
        List<String> args = new ArrayList<>();
        n.path("arguments").forEach(a -> args.add(a.asText()));
        List<EpochMetrics> epochs = new ArrayList<>();
        Path epochsFile = dir.resolve(EPOCHS_FILE);
        if (Files.exists(epochsFile)) {
            for (String line : Files.readAllLines(epochsFile, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    epochs.add(EpochMetrics.fromJson(JSON.readTree(line)));
                }
            }
        }
        JsonNode summary = n.path("summary");
        return new RunRecord(n.path("id").asText(), n.path("started_at").asText(), n.path("duration_seconds").asDouble(),
                args, summary instanceof ObjectNode o ? o : JSON.createObjectNode(), epochs, dir);
    }
}
