package io.ringfold.serving.grpc;

import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.core.TensorSpec;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import tensorflow.serving.InputOuterClass.Input;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The {@code tf.Example}s of a Classify or Regress request as the input tensor of a model with named columns,
 * exactly as the REST API's {@code :classify} and {@code :regress} read their JSON examples: one row per
 * example, one value per column in the signature's column order, a feature missing from an example taken from
 * the context, features the model does not know refused by name. Each feature holds one value (an Example
 * wraps single values in lists). A numeric (FP32) input takes {@code float_list} and {@code int64_list}
 * values; a BYTES input (a model with categorical or text columns) takes every kind, numbers as their decimal
 * text, which the model's preprocessing reads back to the same float.
 */
final class TfExamples {

    private TfExamples() {
    }

    /** The model's one input tensor, {@code [examples, columns]}; {@code s} has columns and one input. */
    static Tensor input(ModelSignature s, Input in) {
        List<Example> examples;
        Example context;
        switch (in.getKindCase()) {
            case EXAMPLE_LIST -> {
                examples = in.getExampleList().getExamplesList();
                context = Example.getDefaultInstance();
            }
            case EXAMPLE_LIST_WITH_CONTEXT -> {
                examples = in.getExampleListWithContext().getExamplesList();
                context = in.getExampleListWithContext().getContext();
            }
            default -> throw new BadInputException("input: neither example_list nor example_list_with_context set "
                    + "(expected: one of them)");
        }
        if (examples.isEmpty()) {
            throw new BadInputException("input: 0 examples (expected: at least 1)");
        }
        TensorSpec spec = s.inputs().get(0);
        List<String> columns = s.columns();
        int width = columns.size();
        long count = (long) examples.size() * width;
        if (count > Integer.MAX_VALUE) {
            throw new BadInputException("input: " + examples.size() + " examples of " + width + " columns (expected: at most "
                    + Integer.MAX_VALUE + " values)");
        }
        Map<String, Feature> shared = context.getFeatures().getFeatureMap();
        for (String f : shared.keySet()) {
            if (!columns.contains(f)) {
                throw new BadInputException("context: feature '" + f + "' unknown (expected: one of " + columns + ")");
            }
        }
        boolean text = spec.datatype() == DataType.BYTES;
        float[] numbers = text ? null : new float[(int) count];
        byte[][] strings = text ? new byte[(int) count][] : null;
        for (int i = 0; i < examples.size(); i++) {
            Map<String, Feature> own = examples.get(i).getFeatures().getFeatureMap();
            String where = "examples[" + i + "]";
            for (String f : own.keySet()) {
                if (!columns.contains(f)) {
                    throw new BadInputException(where + ": feature '" + f + "' unknown (expected: one of " + columns + ")");
                }
            }
            for (int c = 0; c < width; c++) {
                String column = columns.get(c);
                Feature v = own.containsKey(column) ? own.get(column) : shared.get(column);
                if (v == null) {
                    throw new BadInputException(where + ": feature '" + column
                            + "' missing (expected: in the example or the context)");
                }
                String at = where + ": feature '" + column + "'";
                int k = i * width + c;
                if (text) {
                    strings[k] = text(at, v);
                } else {
                    numbers[k] = number(at, v);
                }
            }
        }
        long[] shape = {examples.size(), width};
        return text ? new Tensor(spec.name(), DataType.BYTES, shape, strings) : Tensor.ofFloats(spec.name(), shape, numbers);
    }

    private static float number(String at, Feature v) {
        return switch (v.getKindCase()) {
            case FLOAT_LIST -> v.getFloatList().getValue(single(at, v.getFloatList().getValueCount()));
            case INT64_LIST -> v.getInt64List().getValue(single(at, v.getInt64List().getValueCount()));
            case BYTES_LIST -> throw new BadInputException(at + ": bytes_list (expected: float_list or int64_list, the "
                    + "model's columns are numeric)");
            default -> throw new BadInputException(at + ": no value (expected: float_list or int64_list of 1 value)");
        };
    }

    private static byte[] text(String at, Feature v) {
        return switch (v.getKindCase()) {
            case BYTES_LIST -> v.getBytesList().getValue(single(at, v.getBytesList().getValueCount())).toByteArray();
            case FLOAT_LIST -> Float.toString(v.getFloatList().getValue(single(at, v.getFloatList().getValueCount())))
                    .getBytes(StandardCharsets.US_ASCII);
            case INT64_LIST -> Long.toString(v.getInt64List().getValue(single(at, v.getInt64List().getValueCount())))
                    .getBytes(StandardCharsets.US_ASCII);
            default -> throw new BadInputException(at + ": no value (expected: bytes_list, float_list or int64_list of 1 value)");
        };
    }

    /** Index 0, when the list holds exactly one value. */
    private static int single(String at, int n) {
        if (n != 1) {
            throw new BadInputException(at + ": " + n + " values (expected: 1, a column holds one value per example)");
        }
        return 0;
    }
}
