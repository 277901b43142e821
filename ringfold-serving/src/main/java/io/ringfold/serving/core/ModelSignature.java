package io.ringfold.serving.core;

import java.util.List;
import java.util.Optional;

/**
 * What a served model takes and gives, for every protocol's metadata and for checking requests.
 *
 * @param platform   the backend, as the metadata reports it: {@code ringfold} or {@code onnxruntime_onnx}
 * @param inputs     the input tensors, in the model's order
 * @param outputs    the output tensors, in the model's order
 * @param columns    a tabular model's input column names, in order (TensorFlow Serving's
 *                   {@code :classify}/{@code :regress} examples name them); empty otherwise
 * @param classNames a classifier's class names, in the order of its scores; empty otherwise
 */
public record ModelSignature(String platform, List<TensorSpec> inputs, List<TensorSpec> outputs, List<String> columns,
                             List<String> classNames) {

    public ModelSignature {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        columns = List.copyOf(columns);
        classNames = List.copyOf(classNames);
    }

    public Optional<TensorSpec> input(String name) {
        return inputs.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Optional<TensorSpec> output(String name) {
        return outputs.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public List<String> inputNames() {
        return inputs.stream().map(TensorSpec::name).toList();
    }

    public List<String> outputNames() {
        return outputs.stream().map(TensorSpec::name).toList();
    }
}
