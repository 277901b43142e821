package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.train.Hyperparameter;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.ValueType;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ringfold train}'s (and {@code cv}'s) hyperparameter flags, made from their one declaration
 * ({@link Hyperparameters}): the flag, its help and default, and the parsing and checks behind it are the ones
 * the model file's JSON and the Spark Params use. Also {@code --architecture FILE}, a JSON file with the
 * {@code layers} (and optionally the {@code input} shape) of a network.
 */
final class HyperparameterFlags implements CommandLine.IModelTransformer {

    /** Architecture files are small; a larger one is a mistake, refused before it is read. */
    static final long MAX_ARCHITECTURE_BYTES = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Puts the hyperparameter flags after {@code --test} ({@code --folds} in {@code cv}), before the flags of how
     * and where to train.
     */
    @Override
    public CommandSpec transform(CommandSpec spec) {
        List<OptionSpec> after = new ArrayList<>();
        boolean seenTest = false;
        for (OptionSpec o : new ArrayList<>(spec.options())) {
            if (seenTest && !o.usageHelp() && !o.versionHelp()) {
                after.add(o);
                spec.remove(o);
            }
            seenTest |= o.longestName().equals("--test") || o.longestName().equals("--folds");
        }
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            spec.addOption(option(h));
        }
        after.forEach(spec::addOption);
        return spec;
    }

    /**
     * {@code ringfold preprocess}'s hyperparameter flags: those the preprocessing is fitted with and those that
     * choose its rows (as a training run splits them), made as {@code train} makes them.
     */
    static final class Preprocessing implements CommandLine.IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            for (Hyperparameter<?> h : io.ringfold.train.StoredPreprocessing.SPLITS) {
                spec.addOption(option(h));
            }
            for (Hyperparameter<?> h : io.ringfold.train.StoredPreprocessing.OPTIONS) {
                spec.addOption(option(h));
            }
            return spec;
        }
    }

    private static OptionSpec option(Hyperparameter<?> h) {
        OptionSpec.Builder b = OptionSpec.builder(h.flag()).description(h.help() + defaultNote(h));
        if (h.type().kind() == ValueType.Kind.BOOLEAN) {
            return b.arity("0").type(boolean.class).build();
        }
        return b.type(String.class).paramLabel(label(h)).build();
    }

    @SuppressWarnings("unchecked")
    private static String defaultNote(Hyperparameter<?> h) {
        Object d = h.defaultValue();
        if (d == null || h == Hyperparameters.HIDDEN || h.type().kind() == ValueType.Kind.BOOLEAN
                || d instanceof List<?> l && l.isEmpty() || d instanceof int[] a && a.length == 0) {
            return "";
        }
        return " (default: " + ((Hyperparameter<Object>) h).format(d) + ")";
    }

    private static String label(Hyperparameter<?> h) {
        if (h == Hyperparameters.INPUT_SHAPE) {
            return "CxHxW";
        }
        return switch (h.type().kind()) {
            case INT, LONG -> "N";
            case FLOAT, DOUBLE -> "X";
            case INTS -> "N[,N...]";
            case LAYERS -> "LAYERS";
            default -> h.name().equals("model") ? "TYPE" : "NAME";
        };
    }

    /**
     * The configuration the flags given on {@code spec}'s command line say, every other hyperparameter at its
     * default; {@code architecture} adds a file's layers. A bad value fails naming the flag.
     */
    static TrainingConfig config(CommandSpec spec, Path architecture) {
        ParseResult parsed = spec.commandLine().getParseResult();
        Map<Hyperparameter<?>, Object> given = new LinkedHashMap<>();
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            if (!parsed.hasMatchedOption(h.flag())) {
                continue;
            }
            try {
                given.put(h, h.type().kind() == ValueType.Kind.BOOLEAN ? !(Boolean) h.defaultValue()
                        : h.parse(parsed.matchedOption(h.flag()).getValue()));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), flagMessage(e.getMessage()));
            }
        }
        if (architecture != null) {
            for (String flag : List.of(Hyperparameters.LAYERS.flag(), Hyperparameters.HIDDEN.flag())) {
                if (parsed.hasMatchedOption(flag)) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--architecture with " + flag
                            + " (expected: one of them; the file's layers are the network)");
                }
            }
            try {
                given.putAll(readArchitecture(architecture));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--architecture " + architecture + ": "
                        + e.getMessage());
            }
        }
        TrainingConfig config;
        try {
            config = TrainingConfig.of(given);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), flagMessage(e.getMessage()));
        }
        checkSolverFlags(spec, config, given.keySet());
        return config;
    }

    /**
     * A flag the chosen way of fitting would ignore is refused: {@code --epochs} or {@code --lr} with a full-batch
     * solver (the default for linear, logistic and softmax models), {@code --max-iter} or {@code --l2} with
     * mini-batches.
     */
    private static void checkSolverFlags(CommandSpec spec, TrainingConfig config, java.util.Set<Hyperparameter<?>> given) {
        // A private run steps through mini-batches whatever the model (DP-SGD).
        boolean fullBatch = !config.isPrivate() && config.solver().fullBatchFor(config.model());
        for (Hyperparameter<?> h : fullBatch ? Hyperparameters.MINI_BATCH_ONLY : Hyperparameters.FULL_BATCH_ONLY) {
            if (given.contains(h)) {
                String how = fullBatch
                        ? "not used by solver " + config.solver().id() + " for model " + config.model().id()
                        + ", which fits on all rows at once (--max-iter, --tol); add --solver sgd or adam to train by "
                        + "mini-batches"
                        : "used only by the full-batch solvers of linear, logistic and softmax models"
                        + (h == Hyperparameters.L2 ? "; networks take --weight-decay" : "");
                throw new CommandLine.ParameterException(spec.commandLine(), h.flag() + ": " + how);
            }
        }
    }

    /**
     * An architecture file: {@code {"layers": [{"type": "conv2d", "filters": 20, "kernel": 5}, ...]}}, optionally
     * with {@code "input": [1, 28, 28]} (the example's shape); as a model file's {@code network} writes them, the
     * layers' fields being the ones {@code --layers} takes by name.
     */
    static Map<Hyperparameter<?>, Object> readArchitecture(Path file) {
        JsonNode root;
        try {
            long size = Files.size(file);
            if (size > MAX_ARCHITECTURE_BYTES) {
                throw new IllegalArgumentException(size + " bytes (expected: at most " + MAX_ARCHITECTURE_BYTES
                        + " for an architecture file)");
            }
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : "not readable JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (root == null || !root.isObject() || !root.has("layers")) {
            throw new IllegalArgumentException("no \"layers\" (expected: an object such as {\"layers\": [{\"type\":"
                    + " \"dense\", \"units\": 128}, {\"type\": \"relu\"}]})");
        }
        Map<Hyperparameter<?>, Object> out = new LinkedHashMap<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            Hyperparameter<?> h = name.equals("layers") ? Hyperparameters.LAYERS
                    : name.equals("input") ? Hyperparameters.INPUT_SHAPE : null;
            if (h == null) {
                throw new IllegalArgumentException("field '" + name + "' unknown (expected: layers, input)");
            }
            out.put(h, h.fromJson(root.get(name)));
        }
        return out;
    }

    /** A hyperparameter's message as the flag that sets it: {@code learningRate: -1.0 ...} as {@code --lr: -1.0 ...}. */
    static String flagMessage(String message) {
        int colon = message.indexOf(':');
        if (colon > 0) {
            var h = Hyperparameters.byName(message.substring(0, colon));
            if (h.isPresent()) {
                return h.get().flag() + message.substring(colon);
            }
        }
        return message;
    }
}
