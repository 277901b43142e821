package io.ringfold.serving.inference;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfold.model.Model;

import java.util.List;

/**
 * Turns raw request rows (JSON values) into the model's preprocessed input, checking every value first.
 * Numbers go through their JSON text and {@code Preprocessor.parseAndTransform}, exactly as
 * {@code ringfold predict} reads them, so server and command line give the same bits for the same rows.
 */
public final class RowDecoder {

    private final Model model;
    private final Signature signature;
    private final int outWidth;

    public RowDecoder(Model model, Signature signature) {
        this.model = model;
        this.signature = signature;
        this.outWidth = model.architecture().inputs();
    }

    /** Width of a decoded (preprocessed) row. */
    public int outputWidth() {
        return outWidth;
    }

    /**
     * Decodes {@code rows} (each a list of {@code width} values) into a new rows × outputWidth array.
     *
     * @param tensor names the input in error messages, e.g. {@code "instances"} or {@code "inputs[0] 'input'"}
     */
    public float[] decode(String tensor, List<List<JsonNode>> rows) {
        if (rows.isEmpty()) {
            throw new BadInputException(tensor + ": 0 rows (expected: at least 1)");
        }
        float[] out = new float[rows.size() * outWidth];
        String[] cells = new String[signature.width()];
        for (int r = 0; r < rows.size(); r++) {
            List<JsonNode> row = rows.get(r);
            if (row.size() != signature.width()) {
                throw new BadInputException(tensor + ": row " + r + " has " + row.size() + " values (expected: "
                        + signature.width() + ", the model's input columns)");
            }
            for (int c = 0; c < cells.length; c++) {
                cells[c] = cell(tensor, r, c, row.get(c));
            }
            float[] t;
            try {
                t = model.preprocessor().parseAndTransform(cells);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(tensor + ": row " + r + ": " + e.getMessage());
            }
            System.arraycopy(t, 0, out, r * outWidth, outWidth);
        }
        return out;
    }

    private String cell(String tensor, int r, int c, JsonNode v) {
        if (v.isNumber()) {
            double d = v.doubleValue();
            if (!Double.isFinite(d) || Math.abs(d) > Float.MAX_VALUE) {
                throw new BadInputException(tensor + ": row " + r + ", column '" + signature.columns().get(c)
                        + "': " + v.asText() + " (expected: a finite number within float range)");
            }
            return v.asText();
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        throw new BadInputException(tensor + ": row " + r + ", column '" + signature.columns().get(c) + "': "
                + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                + " (expected: a number" + (signature.categorical() ? " or a category name" : "") + ")");
    }
}
