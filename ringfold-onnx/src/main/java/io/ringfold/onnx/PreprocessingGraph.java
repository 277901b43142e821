package io.ringfold.onnx;

import io.ringfold.data.Preprocessor;
import onnx.Onnx.TensorProto;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static io.ringfold.onnx.GraphBuilder.intAttr;
import static io.ringfold.onnx.GraphBuilder.intsAttr;
import static io.ringfold.onnx.GraphBuilder.stringsAttr;

/**
 * A {@link Preprocessor} as ONNX operators, from raw rows {@code [N, width]} to the network's features
 * {@code [N, features]}, with the same float operations as Ringfold ({@code (x - shift) / scale} after
 * imputation), so the features have the same bits. Rows of numbers (FP32) have missing values as NaN; rows
 * of strings (a model with categorical columns) have them as the cells Ringfold reads as missing, and their
 * numbers are cast in the graph. Categories are looked up with the ONNX ML LabelEncoder (string Equal only
 * came in opset 19) and one-hot encoded by comparing the code with {@code 0..V-1}.
 *
 * <p>Where Ringfold refuses a row the graph cannot: an unseen category gives zeros whatever the model's
 * {@code unseenCategories}, and a missing value of a column without an imputation value stays NaN.
 */
final class PreprocessingGraph {

    private final GraphBuilder g;
    private final Preprocessor p;
    private final List<String> columns;
    private final float[] shift;
    private final float[] scale;
    private final float[] fill;

    PreprocessingGraph(GraphBuilder g, Preprocessor p) {
        this.g = g;
        this.p = p;
        this.columns = p.inputColumns();
        this.shift = p.shift();
        this.scale = p.scale();
        this.fill = p.imputedValues();
    }

    /** Whether the graph needs nodes at all: false when the features are the raw rows as they come. */
    boolean changesRows() {
        if (!p.numeric() || !p.droppedColumns().isEmpty()) {
            return true;
        }
        for (int c = 0; c < columns.size(); c++) {
            if (!Float.isNaN(fill[c]) || shift[c] != 0f || scale[c] != 1f) {
                return true;
            }
        }
        return false;
    }

    /** The features of {@code rows}: FP32 {@code [N, width]} for a numeric preprocessor, else STRING. */
    String features(String rows) {
        List<Integer> numeric = new ArrayList<>();
        List<Integer> categorical = new ArrayList<>();
        for (int c = 0; c < columns.size(); c++) {
            if (!p.droppedColumns().contains(columns.get(c))) {
                (p.vocabularies().containsKey(columns.get(c)) ? categorical : numeric).add(c);
            }
        }
        if (p.numeric()) {
            return standardised(imputedNumbers(rows, numeric), numeric);
        }
        List<String> blocks = new ArrayList<>();
        if (!numeric.isEmpty()) {
            blocks.add(standardised(parsedNumbers(rows, numeric), numeric));
        }
        for (int c : categorical) {
            blocks.add(oneHot(rows, c));
        }
        String all = blocks.size() == 1 ? blocks.get(0) : g.op("Concat", blocks, intAttr("axis", 1));
        long[] order = outputOrder(numeric, categorical);
        return isRange(order) ? all : g.op("Gather", List.of(all, g.longs("feature_order", order, order.length)),
                intAttr("axis", 1));
    }

    /** Numbers: NaN imputed with the column's value, then the dropped columns left out. */
    private String imputedNumbers(String rows, List<Integer> kept) {
        String x = rows;
        if (hasFill(kept)) {
            x = g.op("Where", List.of(g.op("IsNaN", List.of(x)), g.floats("imputed_values", fill, fill.length), x));
        }
        return kept.size() == columns.size() ? x : gatherColumns(x, kept);
    }

    /**
     * Strings to numbers: a missing cell becomes "0" for the cast and then its imputation value (NaN without
     * one), which is what Ringfold does with NaN.
     */
    private String parsedNumbers(String rows, List<Integer> numeric) {
        String cells = gatherColumns(rows, numeric);
        long[] ones = new long[MissingCells.SPELLINGS.size()];
        java.util.Arrays.fill(ones, 1);
        String missing = g.op("Cast", List.of(g.mlOp("LabelEncoder", List.of(cells),
                stringsAttr("keys_strings", MissingCells.SPELLINGS), intsAttr("values_int64s", ones),
                intAttr("default_int64", 0))), GraphBuilder.castTo(TensorProto.DataType.BOOL));
        String cast = g.op("Cast", List.of(g.op("Where", List.of(missing, g.strings("zero_cell", List.of("0")), cells))),
                GraphBuilder.castTo(TensorProto.DataType.FLOAT));
        float[] values = new float[numeric.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = fill[numeric.get(i)];
        }
        return g.op("Where", List.of(missing, g.floats("imputed_values", values, values.length), cast));
    }

    /** {@code (x - shift) / scale} over the numeric columns {@code kept}, leaving out steps that change nothing. */
    private String standardised(String x, List<Integer> kept) {
        float[] s = new float[kept.size()];
        float[] d = new float[kept.size()];
        boolean shifts = false;
        boolean scales = false;
        for (int i = 0; i < s.length; i++) {
            s[i] = shift[kept.get(i)];
            d[i] = scale[kept.get(i)];
            shifts |= s[i] != 0f;
            scales |= d[i] != 1f;
        }
        String y = shifts ? g.op("Sub", List.of(x, g.floats("shift", s, s.length))) : x;
        return scales ? g.op("Div", List.of(y, g.floats("scale", d, d.length))) : y;
    }

    /**
     * Column {@code c}'s category as one-hot columns: its code by the vocabulary (a missing cell takes the
     * empty category's code when the vocabulary has one, as in Ringfold), -1 for anything else, compared with
     * each code.
     */
    private String oneHot(String rows, int c) {
        List<String> vocab = p.vocabularies().get(columns.get(c));
        List<String> keys = new ArrayList<>(vocab);
        List<Long> values = new ArrayList<>();
        for (int i = 0; i < vocab.size(); i++) {
            values.add((long) i);
        }
        int empty = Collections.binarySearch(vocab, "");
        if (empty >= 0) {
            for (String m : MissingCells.SPELLINGS) {
                if (Collections.binarySearch(vocab, m) < 0) {
                    keys.add(m);
                    values.add((long) empty);
                }
            }
        }
        String code = g.mlOp("LabelEncoder", List.of(gatherColumns(rows, List.of(c))), stringsAttr("keys_strings", keys),
                intsAttr("values_int64s", values.stream().mapToLong(Long::longValue).toArray()),
                intAttr("default_int64", -1));
        long[] codes = new long[vocab.size()];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = i;
        }
        return g.op("Cast", List.of(g.op("Equal", List.of(code, g.longs("codes", codes, codes.length)))),
                GraphBuilder.castTo(TensorProto.DataType.FLOAT));
    }

    /**
     * Where each output column lies in the concatenation of the numeric block and the one-hot blocks: Ringfold
     * orders the output by input column.
     */
    private long[] outputOrder(List<Integer> numeric, List<Integer> categorical) {
        int[] start = new int[columns.size()];
        int at = numeric.size();
        for (int c : categorical) {
            start[c] = at;
            at += p.vocabularies().get(columns.get(c)).size();
        }
        long[] order = new long[at];
        int o = 0;
        for (int c = 0; c < columns.size(); c++) {
            int n = numeric.indexOf(c);
            if (n >= 0) {
                order[o++] = n;
            } else if (categorical.contains(c)) {
                for (int v = 0; v < p.vocabularies().get(columns.get(c)).size(); v++) {
                    order[o++] = start[c] + v;
                }
            }
        }
        return order;
    }

    private String gatherColumns(String x, List<Integer> cols) {
        long[] idx = cols.stream().mapToLong(Integer::longValue).toArray();
        return g.op("Gather", List.of(x, g.longs("columns", idx, idx.length)), intAttr("axis", 1));
    }

    private boolean hasFill(List<Integer> cols) {
        for (int c : cols) {
            if (!Float.isNaN(fill[c])) {
                return true;
            }
        }
        return false;
    }

    private static boolean isRange(long[] order) {
        for (int i = 0; i < order.length; i++) {
            if (order[i] != i) {
                return false;
            }
        }
        return true;
    }
}
