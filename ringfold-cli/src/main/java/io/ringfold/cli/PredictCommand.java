package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.CsvRecords;
import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ringfold predict}: predictions for raw input rows, read as CSV (RFC 4180 records, so a text cell
 * may hold commas, quotes and line breaks; an optional header naming the model's input columns, which may
 * name other columns too, such as the label, whose cells are then left out) or JSON (an array of rows, or
 * {@code {"instances": [...]}} as in TensorFlow Serving). Output follows the input: CSV lines or one JSON
 * object.
 */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = "Predict for CSV or JSON rows (FILE or - for standard input).")
final class PredictCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory or file.")
    Path modelPath;

    @Option(names = "--input", required = true, paramLabel = "FILE|-", description = "Rows to predict.")
    String input;

    @picocli.CommandLine.Mixin
    MaskKeyFlag maskKey;

    @Override
    public Integer call() throws Exception {
        Model model = maskKey.bind(ModelCodec.load(modelPath), modelPath.toString());
        String name = "-".equals(input) ? "<stdin>" : input;
        String text;
        try (Reader r = "-".equals(input) ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
                : Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8)) {
            // As it is, line breaks included: a quoted CSV cell keeps its CRLF.
            StringBuilder all = new StringBuilder();
            char[] buffer = new char[1 << 16];
            for (int n; (n = r.read(buffer)) > 0; ) {
                all.append(buffer, 0, n);
            }
            text = all.toString();
        } catch (IOException e) {
            throw new IOException(name + ": cannot read input: " + e.getMessage(), e);
        }
        String trimmed = text.strip();
        boolean jsonInput = trimmed.startsWith("[") || trimmed.startsWith("{");
        List<String[]> rows = jsonInput ? jsonRows(name, trimmed) : csvRows(name, text, model);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(name + ": no input rows (expected: at least one)");
        }
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).length != model.inputWidth()) {
                throw new IllegalArgumentException(name + ": row " + (i + 1) + " has " + rows.get(i).length
                        + " values (expected: " + model.inputWidth() + ", the model's inputs)");
            }
        }
        Matrix x;
        try {
            x = model.preprocessor().parseAndTransform(rows);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
        FloatMatrix out = model.predictPreprocessed(Blas.get(), x);
        PrintWriter w = spec.commandLine().getOut();
        if (jsonInput) {
            w.println(JSON.writeValueAsString(jsonOutput(model, out)));
        } else {
            writeCsv(w, model, out);
        }
        return 0;
    }

    private static List<String[]> jsonRows(String name, String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        JsonNode instances = root.isObject() ? root.get("instances") : root;
        if (instances == null || !instances.isArray()) {
            throw new IllegalArgumentException(name + ": JSON input (expected: an array of rows or {\"instances\": [...]})");
        }
        List<String[]> rows = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            JsonNode row = instances.get(i);
            if (!row.isArray()) {
                throw new IllegalArgumentException(name + ": instance " + (i + 1) + " is " + row.getNodeType()
                        + " (expected: an array of values)");
            }
            String[] cells = new String[row.size()];
            for (int j = 0; j < cells.length; j++) {
                JsonNode v = row.get(j);
                if (!v.isNumber() && !v.isTextual() && !v.isNull()) {
                    throw new IllegalArgumentException(name + ": instance " + (i + 1) + " value " + (j + 1) + " is "
                            + v.getNodeType() + " (expected: a number, a category name or null for a missing value)");
                }
                // null is a missing value, as an empty CSV cell and as the server reads it.
                cells[j] = v.isNull() ? "" : v.asText();
            }
            rows.add(cells);
        }
        return rows;
    }

    /**
     * The CSV records as rows of the model's input cells. A first record naming every input column is a
     * header: the cells of each row are taken from its columns of those names, in the model's order.
     */
    private static List<String[]> csvRows(String name, String text, Model model) throws IOException {
        CsvRecords records = new CsvRecords(new java.io.StringReader(text), ',', name);
        List<String> inputs = model.preprocessor().inputColumns();
        List<String[]> rows = new ArrayList<>();
        String[] first = records.next();
        if (first == null) {
            return rows;
        }
        int[] pick = headerPositions(first, inputs);
        if (pick == null) {
            rows.add(first);
        } else {
            records.nameColumns(java.util.Arrays.asList(first));
        }
        String[] cells;
        while ((cells = records.next()) != null) {
            if (pick == null) {
                rows.add(cells);
                continue;
            }
            if (cells.length != first.length) {
                throw new IllegalArgumentException(name + ":" + records.recordLine() + ": row has " + cells.length
                        + " cells (expected: " + first.length + " as in the header)");
            }
            String[] row = new String[pick.length];
            for (int c = 0; c < pick.length; c++) {
                row[c] = cells[pick[c]];
            }
            rows.add(row);
        }
        return rows;
    }

    /** Where each input column is in {@code header}, or null when the record does not name them all (once each). */
    private static int[] headerPositions(String[] header, List<String> inputs) {
        List<String> names = java.util.Arrays.asList(header);
        if (new java.util.HashSet<>(names).size() != names.size()) {
            return null;
        }
        int[] pick = new int[inputs.size()];
        for (int c = 0; c < pick.length; c++) {
            pick[c] = names.indexOf(inputs.get(c));
            if (pick[c] < 0) {
                return null;
            }
        }
        return pick;
    }

    private static ObjectNode jsonOutput(Model model, FloatMatrix out) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode preds = root.putArray("predictions");
        int[] cls = model.isClassifier() ? model.predictedClasses(out) : null;
        for (int r = 0; r < out.rows(); r++) {
            ObjectNode p = preds.addObject();
            if (cls != null) {
                p.put("class", model.classNames().get(cls[r]));
                ArrayNode probs = p.putArray("probabilities");
                for (float v : model.classProbabilities(out, r)) {
                    probs.add(v);
                }
            } else {
                p.put("value", out.get(r, 0));
            }
        }
        return root;
    }

    private static void writeCsv(PrintWriter w, Model model, FloatMatrix out) {
        if (!model.isClassifier()) {
            w.println("prediction");
            for (int r = 0; r < out.rows(); r++) {
                w.println(out.get(r, 0));
            }
            return;
        }
        StringBuilder header = new StringBuilder("prediction");
        for (String c : model.classNames()) {
            header.append(",p_").append(c);
        }
        w.println(header);
        int[] cls = model.predictedClasses(out);
        for (int r = 0; r < out.rows(); r++) {
            StringBuilder sb = new StringBuilder(model.classNames().get(cls[r]));
            for (float v : model.classProbabilities(out, r)) {
                sb.append(',').append(v);
            }
            w.println(sb);
        }
    }

}
