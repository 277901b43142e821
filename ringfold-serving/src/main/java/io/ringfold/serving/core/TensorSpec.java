package io.ringfold.serving.core;

import java.util.Arrays;

/**
 * A model's input or output as its metadata describes it: name, datatype and shape, -1 for a dynamic
 * dimension (the batch dimension first, where the model batches).
 */
public record TensorSpec(String name, DataType datatype, long[] shape) {

    public TensorSpec {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Whether {@code actual} has this spec's rank and equals it in every fixed dimension. */
    public boolean accepts(long[] actual) {
        if (actual.length != shape.length) {
            return false;
        }
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] >= 0 && shape[i] != actual[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the first dimension is dynamic, so that requests can be batched along it. */
    public boolean batched() {
        return shape.length > 0 && shape[0] < 0;
    }

    /** {@code [-1, 4]} as messages write shapes. */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec s && s.name.equals(name) && s.datatype == datatype && Arrays.equals(s.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return "'" + name + "' " + datatype + " " + shapeText();
    }
}
