package io.ringfold.serving.backend.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * ONNX Runtime's session options of one model, from the {@code "onnx"} object of its {@code config.json}:
 * <pre>{@code "onnx": {"intra_op_threads": 1, "inter_op_threads": 1, "optimization_level": "all"}}</pre>
 *
 * @param intraOpThreads    threads one operator may use; 0 lets ONNX Runtime choose (one per physical core).
 *                          Default 1: the batcher's workers already run one inference per core
 * @param interOpThreads    threads running independent operators at once; 0 lets ONNX Runtime choose. Default 1
 * @param optimizationLevel graph optimizations before the first inference: {@code disable}, {@code basic},
 *                          {@code extended} or {@code all} (the default)
 */
public record OnnxOptions(int intraOpThreads, int interOpThreads, String optimizationLevel) {

    /** More threads than this per session is a typo, not a machine: each is a native thread. */
    public static final int MAX_THREADS = 256;
    private static final Set<String> FIELDS = Set.of("intra_op_threads", "inter_op_threads", "optimization_level");
    private static final Set<String> LEVELS = Set.of("disable", "basic", "extended", "all");

    public OnnxOptions {
        threads("intra_op_threads", intraOpThreads);
        threads("inter_op_threads", interOpThreads);
        if (!LEVELS.contains(optimizationLevel)) {
            throw new IllegalArgumentException("onnx.optimization_level: '" + optimizationLevel + "' (expected: one of "
                    + new TreeSet<>(LEVELS) + ")");
        }
    }

    public static OnnxOptions defaults() {
        return new OnnxOptions(1, 1, "all");
    }

    /** These options overridden by the fields of {@code node} (a config's {@code onnx} object); unknown fields are refused by name. */
    public OnnxOptions overriddenBy(JsonNode node, String where) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + ": " + node.getNodeType() + " (expected: an object)");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(where + "." + f + ": unknown field (expected: one of "
                        + new TreeSet<>(FIELDS) + ")");
            }
        }
        int intra = node.has("intra_op_threads") ? integer(node.get("intra_op_threads"), where + ".intra_op_threads")
                : intraOpThreads;
        int inter = node.has("inter_op_threads") ? integer(node.get("inter_op_threads"), where + ".inter_op_threads")
                : interOpThreads;
        String level = optimizationLevel;
        JsonNode l = node.get("optimization_level");
        if (l != null) {
            if (!l.isTextual()) {
                throw new IllegalArgumentException(where + ".optimization_level: " + l + " (expected: one of "
                        + new TreeSet<>(LEVELS) + ")");
            }
            level = l.textValue();
        }
        return new OnnxOptions(intra, inter, level);
    }

    /** A new session options object with these settings; the caller closes it. */
    OrtSession.SessionOptions toSessionOptions() throws OrtException {
        OrtSession.SessionOptions o = new OrtSession.SessionOptions();
        try {
            o.setIntraOpNumThreads(intraOpThreads);
            o.setInterOpNumThreads(interOpThreads);
            o.setOptimizationLevel(switch (optimizationLevel) {
                case "disable" -> OrtSession.SessionOptions.OptLevel.NO_OPT;
                case "basic" -> OrtSession.SessionOptions.OptLevel.BASIC_OPT;
                case "extended" -> OrtSession.SessionOptions.OptLevel.EXTENDED_OPT;
                default -> OrtSession.SessionOptions.OptLevel.ALL_OPT;
            });
            return o;
        } catch (OrtException | RuntimeException e) {
            o.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "intra_op_threads %d, inter_op_threads %d, optimization_level %s",
                intraOpThreads, interOpThreads, optimizationLevel);
    }

    private static void threads(String name, int n) {
        if (n < 0 || n > MAX_THREADS) {
            throw new IllegalArgumentException("onnx." + name + ": " + n + " (expected: 0 to " + MAX_THREADS
                    + ", 0 for ONNX Runtime's choice)");
        }
    }

    private static int integer(JsonNode n, String where) {
        if (!n.isIntegralNumber() || !n.canConvertToInt()) {
            throw new IllegalArgumentException(where + ": " + n + " (expected: an integer)");
        }
        return n.intValue();
    }
}
