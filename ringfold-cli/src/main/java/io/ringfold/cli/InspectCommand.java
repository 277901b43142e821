package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.nn.Network;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code ringfold inspect DIR}: the layer table, provenance, evaluation and parameter digest of a model. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's architecture, provenance and parameter_digest (SHA-256 of its parameters).")
final class InspectCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Model directory or model file.")
    Path path;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    /** One object per layer: where, the layer as --layers writes it, output shape, parameters; blocks nested. */
    private static com.fasterxml.jackson.databind.node.ArrayNode layerRows(List<Network.Node> nodes) {
        com.fasterxml.jackson.databind.node.ArrayNode rows = JSON.createArrayNode();
        for (Network.Node n : nodes) {
            ObjectNode row = rows.addObject();
            row.put("where", n.where());
            row.put("layer", n.spec().format());
            row.set("output_shape", JSON.valueToTree(n.out().dims()));
            row.put("parameters", n.paramCount());
            if (!n.block().isEmpty()) {
                row.set("block", layerRows(n.block()));
            }
        }
        return rows;
    }

    /** The layer table, as Keras' summary() has it: the layer, its output shape and its parameters. */
    private static void printTable(PrintWriter w, Network net) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"", "input", net.input().toString(), ""});
        addRows(rows, net.nodes(), "");
        int[] width = new int[4];
        for (String[] r : rows) {
            for (int c = 0; c < 4; c++) {
                width[c] = Math.max(width[c], r[c].length());
            }
        }
        for (String[] r : rows) {
            w.println(String.format("  %-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %" + width[3] + "s",
                    r[0], r[1], r[2], r[3]).stripTrailing());
        }
        w.println(String.format("  %-" + (width[0] + width[1] + width[2] + 4) + "s  %" + width[3] + "s", "total",
                String.format("%,d", net.parameterCount())));
    }

    private static void addRows(List<String[]> rows, List<Network.Node> nodes, String indent) {
        for (Network.Node n : nodes) {
            String layer = n.block().isEmpty() ? n.spec().format() : n.spec().kind().id() + "(";
            rows.add(new String[] {indent + n.where(), layer, n.out().toString(), String.format("%,d", n.paramCount())});
            if (!n.block().isEmpty()) {
                addRows(rows, n.block(), indent + "  ");
                rows.add(new String[] {indent + "", ")", "", ""});
            }
        }
    }

    /** Rows of the coefficient table printed; --json has them all. */
    private static final int PRINTED_COEFFICIENTS = 30;

    /** The coefficients in the raw columns' units, one row per column (the first 30; --json has all). */
    private static void printCoefficients(PrintWriter w, io.ringfold.model.Coefficients c) {
        w.println("coefficients (raw columns' units; intercept first):");
        int k = c.outputs();
        StringBuilder row = new StringBuilder(String.format("  %-28s", "(intercept)"));
        for (double v : c.intercept()) {
            row.append(String.format(" %12.6g", v));
        }
        w.println(row);
        int shown = Math.min(PRINTED_COEFFICIENTS, c.columns().size());
        for (int j = 0; j < shown; j++) {
            row = new StringBuilder(String.format("  %-28s", c.columns().get(j)));
            for (int o = 0; o < k; o++) {
                row.append(String.format(" %12.6g", c.weights()[j * k + o]));
            }
            w.println(row);
        }
        if (shown < c.columns().size()) {
            w.println("  ... " + (c.columns().size() - shown) + " more (inspect --json lists all)");
        }
    }

    @Override
    public Integer call() throws Exception {
        Model m = ModelCodec.load(path);
        ObjectNode evaluation = ModelCodec.evaluation(path);
        ObjectNode r = JSON.createObjectNode();
        r.put("model_path", path.toString());
        r.put("architecture", m.network().describe());
        r.set("input_shape", JSON.valueToTree(m.network().input().dims()));
        r.set("layers", layerRows(m.network().nodes()));
        r.put("inputs", m.inputWidth());
        r.putPOJO("input_columns", m.preprocessor().inputColumns());
        r.putPOJO("class_names", m.classNames());
        r.put("parameter_count", m.network().parameterCount());
        r.put("parameter_digest", m.parameterDigest());
        r.set("provenance", m.provenance().toJson());
        ObjectNode privacy = m.provenance().privacy();
        if (privacy != null) {
            r.put("dp_epsilon", privacy.get("epsilon").asDouble());
            r.put("dp_delta", privacy.get("delta").asDouble());
        }
        r.set("evaluation", evaluation);
        java.util.Optional<io.ringfold.model.Coefficients> coefficients = io.ringfold.model.Coefficients.of(m);
        coefficients.ifPresent(c -> r.set("coefficients", c.toJson()));
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            w.println(JSON.writeValueAsString(r));
        } else {
            w.println("model:            " + m.network().describe());
            w.println("inputs:           " + m.inputWidth() + " raw columns -> " + m.network().inputSize() + " features");
            if (m.isClassifier()) {
                w.println("classes:          " + m.classNames());
            }
            w.println("layers:");
            printTable(w, m.network());
            w.println("parameter_digest: " + m.parameterDigest());
            if (privacy != null) {
                // A federated run's guarantee is per client (DP-FedAvg: its steps are rounds), DP-SGD's per example.
                boolean clientLevel = "dp-fedavg".equals(privacy.path("mechanism").asText());
                w.println(String.format("privacy:          (ε %.3f, δ %s)-differentially private: %s, noise multiplier"
                        + " %.4f, clip %s, sampling rate %.6g, %d %s%s", privacy.get("epsilon").asDouble(),
                        privacy.get("delta").asDouble(), clientLevel ? "client-level DP-FedAvg" : "DP-SGD",
                        privacy.get("noise_multiplier").asDouble(), privacy.get("clip").asDouble(),
                        privacy.get("sampling_rate").asDouble(), privacy.get("steps").asLong(),
                        clientLevel ? "rounds" : "steps", privacy.path("secure_rng").asBoolean()
                                ? ", noise from SecureRandom" : ""));
            }
            w.println("provenance:       " + JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m.provenance().toJson())
                    .replace("\n", "\n                  "));
            if (evaluation.size() > 0) {
                w.println("evaluation:       " + evaluation);
            }
            coefficients.ifPresent(c -> printCoefficients(w, c));
        }
        return 0;
    }
}
