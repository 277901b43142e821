package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
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
 * {@code ringfold predict}: predictions for raw input rows, read as CSV (one row per line, optional header
 * equal to the model's input column names) or JSON (an array of rows, or {@code {"instances": [...]}} as
 * in TensorFlow Serving). Output follows the input: CSV lines or one JSON object.
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

    @Override
    public Integer call() throws Exception {
        Model model = ModelCodec.load(modelPath);
        String name = "-".equals(input) ? "<stdin>" : input;
        String text;
        try (Reader r = "-".equals(input) ? new InputStreamReader(System.in, StandardCharsets.UTF_8)
                : Files.newBufferedReader(Path.of(input), StandardCharsets.UTF_8)) {
            text = new BufferedReader(r).lines().collect(java.util.stream.Collectors.joining("\n"));
        } catch (IOException e) {
            throw new IOException(name + ": cannot read input: " + e.getMessage(), e);
        }
        String trimmed = text.strip();
        boolean jsonInput = trimmed.startsWith("[") || trimmed.startsWith("{");
        List<String[]> rows = jsonInput ? jsonRows(name, trimmed) : csvRows(name, text, model);
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(name + ": no input rows (expected: at least one)");
        }
        FloatMatrix x = new FloatMatrix(rows.size(), model.architecture().inputs());
        for (int i = 0; i < rows.size(); i++) {
            String[] cells = rows.get(i);
            if (cells.length != model.inputWidth()) {
                throw new IllegalArgumentException(name + ": row " + (i + 1) + " has " + cells.length
                        + " values (expected: " + model.inputWidth() + ", the model's inputs)");
            }
            float[] t;
            try {
                t = model.preprocessor().parseAndTransform(cells);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(name + ": row " + (i + 1) + ": " + e.getMessage(), e);
            }
            System.arraycopy(t, 0, x.data(), i * t.length, t.length);
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
                if (!v.isNumber() && !v.isTextual()) {
                    throw new IllegalArgumentException(name + ": instance " + (i + 1) + " value " + (j + 1) + " is "
                            + v.getNodeType() + " (expected: a number or a category name)");
                }
                cells[j] = v.asText();
            }
            rows.add(cells);
        }
        return rows;
    }

    private static List<String[]> csvRows(String name, String text, Model model) {
        List<String[]> rows = new ArrayList<>();
        String[] lines = text.split("\r?\n", -1);
        List<String> header = model.preprocessor().inputColumns();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            for (int j = 0; j < cells.length; j++) {
                cells[j] = cells[j].strip();
            }
            if (rows.isEmpty() && i == firstNonBlank(lines) && java.util.Arrays.asList(cells).equals(header)) {
                continue;
            }
            rows.add(cells);
        }
        return rows;
    }

    private static int firstNonBlank(String[] lines) {
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].isBlank()) {
                return i;
            }
        }
        return -1;
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
