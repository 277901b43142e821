package io.ringfold.serving.backend.ringfold;

import io.ringfold.model.Model;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.TensorSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * The tensors of a served model. One input, {@value #INPUT}: raw rows of {@code width} values in the
 * model's input column order, before preprocessing; datatype FP32, or BYTES when some column is
 * categorical or text (category names and raw text as strings, numbers as numbers or strings; the server
 * tokenises text with the model's saved vocabulary). Outputs: a classifier gives
 * {@value #PROBABILITIES} (FP32, rows × classes) and {@value #CLASS} (BYTES, the predicted class name per
 * row); a regressor gives {@value #VALUE} (FP32, one value per row). The names and values are those of
 * {@code ringfold predict}'s JSON output.
 *
 * <p>An image model's input keeps its shape: {@code exampleShape} is {@code [1, 28, 28]} for a Fashion-MNIST
 * network, so the input is {@code [-1, 1, 28, 28]}; a flat row of the same values, {@code [-1, 784]}, is
 * accepted too (row-major, channel first). Other models have the rows' width alone.
 */
public record RingfoldSignature(int width, List<String> columns, boolean categorical, boolean text, List<String> classNames,
                        int[] exampleShape) {

    public static final String INPUT = "input";
    public static final String PROBABILITIES = "probabilities";
    public static final String CLASS = "class";
    public static final String VALUE = "value";

    public RingfoldSignature {
        exampleShape = exampleShape.clone();
    }

    public static RingfoldSignature of(Model model) {
        int[] network = model.network().input().dims();
        // The network's shape is the raw row's only where preprocessing keeps every value in place.
        boolean shaped = network.length > 1 && model.preprocessor().numeric()
                && model.network().inputSize() == model.inputWidth();
        return new RingfoldSignature(model.inputWidth(), model.preprocessor().inputColumns(),
                !model.preprocessor().vocabularies().isEmpty(), model.preprocessor().text().isPresent(),
                model.classNames(), shaped ? network : new int[] {model.inputWidth()});
    }

    @Override
    public int[] exampleShape() {
        return exampleShape.clone();
    }

    /** The input tensor's shape, -1 for the batch dimension: {@code [-1, 1, 28, 28]}, {@code [-1, 4]}. */
    public long[] inputShape() {
        long[] shape = new long[exampleShape.length + 1];
        shape[0] = -1;
        for (int i = 0; i < exampleShape.length; i++) {
            shape[i + 1] = exampleShape[i];
        }
        return shape;
    }

    /**
     * The rows a tensor of {@code shape} holds: {@code [rows, width]}, {@code [width]} (one row), or for an image
     * model {@code [rows, C, H, W]}; -1 for any other shape.
     */
    public long rows(long[] shape) {
        if (shape.length == 1) {
            return shape[0] == width ? 1 : -1;
        }
        if (shape.length == 2) {
            return shape[1] == width ? shape[0] : -1;
        }
        if (shape.length != exampleShape.length + 1) {
            return -1;
        }
        for (int i = 0; i < exampleShape.length; i++) {
            if (shape[i + 1] != exampleShape[i]) {
                return -1;
            }
        }
        return shape[0];
    }

    /** What {@link #rows} accepts, for messages: {@code [rows, 784] or [rows, 1, 28, 28]}. */
    public String expectedShapes() {
        StringBuilder b = new StringBuilder("[rows, ").append(width).append(']');
        if (exampleShape.length > 1) {
            b.append(" or [rows");
            for (int d : exampleShape) {
                b.append(", ").append(d);
            }
            b.append(']');
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RingfoldSignature s && s.width == width && s.columns.equals(columns) && s.categorical == categorical
                && s.text == text && s.classNames.equals(classNames) && java.util.Arrays.equals(s.exampleShape,
                exampleShape);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(width, columns, categorical, text, classNames, java.util.Arrays.hashCode(exampleShape));
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

    /** The input tensor's datatype: BYTES when some column takes strings, else FP32. */
    public DataType inputDatatype() {
        return takesStrings() ? DataType.BYTES : DataType.FP32;
    }

    /** The protocol-neutral form, for metadata. */
    public ModelSignature toModelSignature() {
        List<TensorSpec> outputs = new ArrayList<>();
        if (classifier()) {
            outputs.add(new TensorSpec(PROBABILITIES, DataType.FP32, new long[] {-1, classNames.size()}));
            outputs.add(new TensorSpec(CLASS, DataType.BYTES, new long[] {-1}));
        } else {
            outputs.add(new TensorSpec(VALUE, DataType.FP32, new long[] {-1}));
        }
        return new ModelSignature("ringfold", List.of(new TensorSpec(INPUT, inputDatatype(), inputShape())), outputs,
                columns, classNames);
    }
}
