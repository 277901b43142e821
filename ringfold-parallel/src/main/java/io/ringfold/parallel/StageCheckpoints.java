package io.ringfold.parallel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.collective.Communicator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A pipeline's checkpoints: each stage's first replica writes its stage's state (its parameters and the
 * stage's whole optimizer state) to {@code stage-K-of-N.step-G.rfm}, keeping its two newest. The stages write
 * after the same steps but not at the same instant, so a run killed in between leaves some stages one
 * checkpoint ahead; on resume the workers agree on the newest step every stage has, which the second file
 * guarantees. The stage boundaries are kept in {@code pipeline.json}, so that balanced boundaries (measured,
 * so not reproducible) are the same after a restart.
 */
final class StageCheckpoints {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CUTS_FILE = "pipeline.json";

    private final CheckpointPolicy policy;
    private final Communicator world;
    private final PipelineTrainer.Layout layout;
    private final String identity;
    private final Pattern name;

    StageCheckpoints(CheckpointPolicy policy, Communicator world, PipelineTrainer.Layout layout, String identity) {
        this.policy = policy;
        this.world = world;
        this.layout = layout;
        this.identity = identity;
        this.name = Pattern.compile(Pattern.quote(prefix()) + "(\\d+)\\.rfm");
    }

    String identity() {
        return identity;
    }

    private String prefix() {
        return "stage-" + layout.stage() + "-of-" + (layout.cuts().length - 1) + ".step-";
    }

    Path file(long globalStep) {
        return policy.directory().resolve(prefix() + globalStep + ".rfm");
    }

    /**
     * The state to resume from: the newest step for which every stage has a checkpoint, or null (no
     * checkpoint, or not resuming). A collective when resuming: every worker calls it.
     */
    TrainingState resume() {
        if (!policy.resume()) {
            return null;
        }
        byte[] mine = String.join(",", steps().stream().map(String::valueOf).toList()).getBytes(StandardCharsets.UTF_8);
        byte[][] all = world.allGather(mine);
        TreeSet<Long> common = null;
        for (byte[] b : all) {
            TreeSet<Long> s = new TreeSet<>();
            String text = new String(b, StandardCharsets.UTF_8);
            if (!text.isEmpty()) {
                for (String v : text.split(",")) {
                    s.add(Long.parseLong(v));
                }
            }
            if (common == null) {
                common = s;
            } else {
                common.retainAll(s);
            }
        }
        if (common == null || common.isEmpty()) {
            return null;
        }
        Path file = file(common.last());
        try {
            return TrainingState.read(file, identity);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resume from " + file + ": " + e.getMessage(), e);
        }
    }

    /** Steps of this stage's checkpoints in the directory, oldest first. */
    private List<Long> steps() {
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(policy.directory())) {
            return out;
        }
        try (Stream<Path> files = Files.list(policy.directory())) {
            files.forEach(f -> {
                Matcher m = name.matcher(f.getFileName().toString());
                if (m.matches()) {
                    out.add(Long.parseLong(m.group(1)));
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list checkpoints in " + policy.directory() + ": " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    /** Writes the stage's state (on the stage's first replica) and removes all but the two newest. */
    void write(TrainingState state) {
        if (layout.replica() != 0) {
            return;
        }
        Path file = file(state.globalStep());
        try {
            Files.createDirectories(policy.directory());
            state.write(file);
            List<Long> steps = steps();
            for (int i = 0; i + 2 < steps.size(); i++) {
                Files.deleteIfExists(file(steps.get(i)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /** Records the stage boundaries (rank 0), when checkpoints are written. */
    void writeCuts() {
        if (policy.directory() == null || world.rank() != 0) {
            return;
        }
        Path file = policy.directory().resolve(CUTS_FILE);
        try {
            Files.createDirectories(policy.directory());
            var n = JSON.createObjectNode();
            var a = n.putArray("cuts");
            for (int c : layout.cuts()) {
                a.add(c);
            }
            Files.writeString(file, n.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The boundaries a run with {@code stages} stages recorded in {@code directory}, or null. */
    static int[] savedCuts(Path directory, int stages) {
        if (directory == null) {
            return null;
        }
        Path file = directory.resolve(CUTS_FILE);
        if (!Files.exists(file)) {
            return null;
        }
        try {
            JsonNode cuts = JSON.readTree(Files.readString(file)).path("cuts");
            if (!cuts.isArray() || cuts.size() != stages + 1) {
                return null;
            }
            int[] out = new int[cuts.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = cuts.get(i).asInt();
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
