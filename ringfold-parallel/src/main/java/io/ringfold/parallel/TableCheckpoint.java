package io.ringfold.parallel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.io.ModelFile;
import io.ringfold.io.NamedTensor;
import io.ringfold.optim.OptimizerState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoint of a sharded embedding table: each worker writes its own rows, their optimizer state and
 * (with early stopping) its best epoch's rows to {@code table-step-S-rank-R.rfm} beside rank 0's
 * {@link TrainingState}, the step in the name. Every worker writes its file before rank 0 writes the main
 * checkpoint (a barrier between), and a worker deletes its older files only once the main checkpoint has moved
 * past them, so the files of the step the main checkpoint names always exist. On resume each worker reads the
 * rows it now holds from whichever files hold them, so the worker count may change; on several machines the
 * directory must be shared, as for the main checkpoint.
 */
final class TableCheckpoint {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("table-step-(\\d+)-rank-(\\d+)\\.rfm");

    /** What a worker's file holds. */
    record Part(int firstRow, int endRow, float[] rows, OptimizerState optimizer, float[] best) {
    }

    private TableCheckpoint() {
    }

    static Path file(Path directory, long globalStep, int rank) {
        return directory.resolve("table-step-" + globalStep + "-rank-" + rank + ".rfm");
    }

    /**
     * Writes this worker's part of step {@code globalStep}, then deletes its files (and, on rank 0, those of ranks
     * this run does not have) of steps other than this one and {@code keepStep}, which the main checkpoint names.
     */
    static void write(Path directory, String identity, long globalStep, long keepStep, int rank, int workers, Part p) {
        ObjectNode h = JSON.createObjectNode();
        h.put("kind", "ringfold.table-checkpoint");
        h.put("identity", identity);
        h.put("global_step", globalStep);
        h.put("first_row", p.firstRow());
        h.put("end_row", p.endRow());
        h.put("optimizer", p.optimizer().kind());
        h.put("optimizer_steps", p.optimizer().steps());
        List<NamedTensor> t = new ArrayList<>();
        t.add(new NamedTensor("rows", new int[] {p.rows().length}, p.rows()));
        float[][] buffers = p.optimizer().buffers();
        for (int i = 0; i < buffers.length; i++) {
            t.add(new NamedTensor("optimizer/" + i, new int[] {buffers[i].length}, buffers[i]));
        }
        if (p.best() != null) {
            t.add(new NamedTensor("best", new int[] {p.best().length}, p.best()));
        }
        try {
            Files.createDirectories(directory);
            ModelFile.write(file(directory, globalStep, rank), h, t);
            try (Stream<Path> files = Files.list(directory)) {
                for (Path f : files.toList()) {
                    Matcher m = NAME.matcher(f.getFileName().toString());
                    if (m.matches()) {
                        long step = Long.parseLong(m.group(1));
                        int owner = Integer.parseInt(m.group(2));
                        if (step != globalStep && step != keepStep && (owner == rank || rank == 0 && owner >= workers)) {
                            Files.deleteIfExists(f);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write table checkpoint " + file(directory, globalStep, rank) + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Rows {@code [firstRow, endRow)} of step {@code globalStep}, gathered from every worker's file of that step,
     * into a part; its dim-wide rows come from whichever files hold them.
     */
    static Part read(Path directory, String identity, long globalStep, int firstRow, int endRow, int dim) {
        float[] rows = new float[(endRow - firstRow) * dim];
        float[][] buffers = null;
        float[] best = null;
        String kind = null;
        long steps = 0;
        int covered = 0;
        try (Stream<Path> files = Files.list(directory)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = NAME.matcher(f.getFileName().toString());
                if (!m.matches() || Long.parseLong(m.group(1)) != globalStep) {
                    continue;
                }
                ModelFile.Contents c = ModelFile.read(f);
                JsonNode h = c.header();
                if (!identity.equals(h.path("identity").asText())) {
                    throw new IllegalArgumentException(f + ": table checkpoint of another run (expected: " + identity
                            + ")");
                }
                int from = Math.max(firstRow, h.path("first_row").asInt());
                int to = Math.min(endRow, h.path("end_row").asInt());
                if (from >= to) {
                    continue;
                }
                int at = (from - h.path("first_row").asInt()) * dim;
                int length = (to - from) * dim;
                int into = (from - firstRow) * dim;
                List<float[]> opt = new ArrayList<>();
                for (NamedTensor t : c.tensors()) {
                    if (t.name().equals("rows")) {
                        System.arraycopy(t.data(), at, rows, into, length);
                    } else if (t.name().equals("best")) {
                        best = best == null ? new float[rows.length] : best;
                        System.arraycopy(t.data(), at, best, into, length);
                    } else if (t.name().startsWith("optimizer/")) {
                        opt.add(t.data());
                    }
                }
                if (buffers == null) {
                    buffers = new float[opt.size()][rows.length];
                    kind = h.path("optimizer").asText();
                    steps = h.path("optimizer_steps").asLong();
                }
                for (int i = 0; i < opt.size(); i++) {
                    System.arraycopy(opt.get(i), at, buffers[i], into, length);
                }
                covered += to - from;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read table checkpoint in " + directory + ": " + e.getMessage(), e);
        }
        if (covered != endRow - firstRow) {
            throw new IllegalArgumentException(directory + ": table checkpoint of step " + globalStep + " holds "
                    + covered + " of rows [" + firstRow + ", " + endRow + ") (expected: all; a table-step-" + globalStep
                    + "-rank-R.rfm file is missing)");
        }
        return new Part(firstRow, endRow, rows, new OptimizerState(kind, steps, buffers), best);
    }
}
