package io.ringfold.serving.inference;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfold.model.Model;

import java.util.List;

/**
 * Turns raw request rows (JSON values) into the model's preprocessed input, checking every value first.
 * Numbers go through their JSON text and {@code Preprocessor.parseAndTransform}, exactly as
 * {@code ringfold predict} reads them, and a text column's string is tokenised and counted there with the
 * model's saved vocabulary, so server and command line give the same bits for the same rows. A JSON
 * {@code null} in a column that is not text is a missing value, as an empty CSV cell is.
 */
public final class RowDecoder {

    private final Model model;
    private final Signature signature;
    private final int outWidth;
    /** No categorical or text column: a row of plain numbers may skip the text form (see {@link #exactFloat}). */
    private final boolean numeric;

    public RowDecoder(Model model, Signature signature) {
        this.model = model;
        this.signature = signature;
        this.outWidth = model.network().inputSize();
        this.numeric = model.preprocessor().numeric();
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
        float[] raw = numeric ? new float[signature.width()] : null;
        for (int r = 0; r < rows.size(); r++) {
            List<JsonNode> row = rows.get(r);
            if (row.size() != signature.width()) {
                throw new BadInputException(tensor + ": row " + r + " has " + row.size() + " values (expected: "
                        + signature.width() + ", the model's input columns)");
            }
            if (numeric && exactFloats(row, raw)) {
                System.arraycopy(model.preprocessor().transformRow(raw), 0, out, r * outWidth, outWidth);
                continue;
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

    /**
     * Whether {@link #decodeExact} applies: no categorical or text column, so a row of plain numbers needs
     * no text form.
     */
    public boolean numeric() {
        return numeric;
    }

    /**
     * Decodes {@code rows} rows of raw values ({@code rows × width}, row-major), each already the float that
     * {@link #exactFloat} gives for its JSON number: the same bits {@link #decode} gives for those numbers,
     * without their tree nodes. For a {@link #numeric()} model; the caller has checked the element count.
     */
    public float[] decodeExact(float[] values, int rows) {
        int width = signature.width();
        if (!numeric || rows < 1 || values.length < rows * width) {
            throw new IllegalArgumentException("decodeExact: " + rows + " rows of " + width + " from "
                    + values.length + " values, numeric " + numeric + " (expected: a numeric model and rows * width values)");
        }
        float[] out = new float[rows * outWidth];
        float[] raw = new float[width];
        for (int r = 0; r < rows; r++) {
            System.arraycopy(values, r * width, raw, 0, width);
            System.arraycopy(model.preprocessor().transformRow(raw), 0, out, r * outWidth, outWidth);
        }
        return out;
    }

    /**
     * Fills {@code raw} when every value of the row is a number whose float {@link #exactFloat} gives;
     * false (and the row takes the text path, which also names any bad value) otherwise.
     */
    private static boolean exactFloats(List<JsonNode> row, float[] raw) {
        for (int c = 0; c < raw.length; c++) {
            float f = exactFloat(row.get(c));
            if (Float.isNaN(f)) {
                return false;
            }
            raw[c] = f;
        }
        return true;
    }

    /**
     * The float that the text path ({@code parseFloat} of the node's JSON text) gives, computed without the
     * text, or NaN where that shortcut is not provably the same. Integers: int and long to float conversion
     * and {@code parseFloat} of the decimal integer both round the exact value to nearest even. Floating
     * values exactly representable as a finite float (every FP32 value from gRPC, whole numbers, pixel
     * values): the shortest decimal of the double lies within half a double ulp of it, far inside half a
     * float ulp, so {@code parseFloat} returns that float. Other doubles would round twice, so they keep the
     * text path and its exact bits. Formatting and parsing 64 numbers per row was a tenth of the server's
     * time per request.
     */
    static float exactFloat(JsonNode v) {
        if (v.isInt()) {
            return v.intValue();
        }
        if (v.isLong()) {
            return v.longValue();
        }
        if (v.isDouble() || v.isFloat()) {
            double d = v.doubleValue();
            float f = (float) d;
            if (f == d && Float.isFinite(f)) {
                return f;
            }
        }
        return Float.NaN;
    }

    private boolean isText(int c) {
        String column = signature.columns().get(c);
        return model.preprocessor().text().filter(t -> t.column().equals(column)).isPresent();
    }

    /** What column {@code c} takes, for messages. */
    private String expectedValue(int c) {
        String column = signature.columns().get(c);
        return isText(c) ? "a string of text"
                : model.preprocessor().vocabularies().containsKey(column) ? "a number or a category name" : "a number";
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
        if (v.isNull() && !isText(c)) {
            // A missing value, as pandas writes NaN to JSON: the model imputes it, or the preprocessor names it.
            return "";
        }
        throw new BadInputException(tensor + ": row " + r + ", column '" + signature.columns().get(c) + "': "
                + v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)
                + " (expected: " + expectedValue(c) + ")");
    }
}
