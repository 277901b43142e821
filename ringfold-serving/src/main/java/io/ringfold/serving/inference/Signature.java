package io.ringfold.serving.inference;

import io.ringfold.model.Model;

import java.util.List;

/**
 * The tensors of a served model. One input, {@value #INPUT}: raw rows of {@code width} values in the
 * model's input column order, before preprocessing; datatype FP32, or BYTES when some column is
 * categorical or text (category names and raw text as strings, numbers as numbers or strings; the server
 * tokenises text with the model's saved vocabulary). Outputs: a classifier gives
 * {@value #PROBABILITIES} (FP32, rows × classes) and {@value #CLASS} (BYTES, the predicted class name per
 * row); a regressor gives {@value #VALUE} (FP32, one value per row). The names and values are those of
 * {@code ringfold predict}'s JSON output.
 */
public record Signature(int width, List<String> columns, boolean categorical, boolean text, List<String> classNames) {

    public static final String INPUT = "input";
    public static final String PROBABILITIES = "probabilities";
    public static final String CLASS = "class";
    public static final String VALUE = "value";

    public static Signature of(Model model) {
        return new Signature(model.inputWidth(), model.preprocessor().inputColumns(),
                !model.preprocessor().vocabularies().isEmpty(), model.preprocessor().text().isPresent(),
                model.classNames());
    }

    /** Whether some input column takes strings (a category or text), so the input is BYTES. */
    public boolean takesStrings() {
        return categorical || text;
    }

    /** What the string columns are, for messages: "categorical columns", "a text column" or both. */
    public String stringColumns() {
        return categorical && text ? "categorical and text columns" : categorical ? "categorical columns"
                : "a text column";
    }

    public boolean classifier() {
        return !classNames.isEmpty();
    }

    /** The input tensor's datatype in the Open Inference Protocol. */
    public String inputDatatype() {
        return takesStrings() ? "BYTES" : "FP32";
    }

    /** Output tensor names, in response order. */
    public List<String> outputNames() {
        return classifier() ? List.of(PROBABILITIES, CLASS) : List.of(VALUE);
    }

    public String outputDatatype(String output) {
        return CLASS.equals(output) ? "BYTES" : "FP32";
    }

    /** Output shape with -1 for the batch dimension. */
    public long[] outputShape(String output) {
        return PROBABILITIES.equals(output) ? new long[] {-1, classNames.size()} : new long[] {-1};
    }
}
