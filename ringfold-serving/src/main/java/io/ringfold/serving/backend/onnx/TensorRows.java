package io.ringfold.serving.backend.onnx;

import io.ringfold.serving.core.Tensor;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.List;

/**
 * Tensors as rows along their first dimension: the requests of a batch stacked into one tensor per input, and
 * each request's rows of an output cut back out. Works on every datatype alike, the data being whatever array
 * {@link io.ringfold.serving.core.DataType#storage()} names.
 */
final class TensorRows {

    private TensorRows() {
    }

    /** Whether two requests' inputs (in signature order) agree in every dimension but the first. */
    static boolean stackable(List<Tensor> a, List<Tensor> b) {
        for (int i = 0; i < a.size(); i++) {
            long[] x = a.get(i).shape();
            long[] y = b.get(i).shape();
            if (x.length != y.length || !Arrays.equals(x, 1, x.length, y, 1, y.length)) {
                return false;
            }
        }
        return true;
    }

    /** The tensors of {@code parts} (same name, datatype and inner dimensions) one after another along dimension 0. */
    static Tensor stack(List<Tensor> parts) {
        Tensor first = parts.get(0);
        long rows = 0;
        int length = 0;
        for (Tensor t : parts) {
            rows += t.dim(0);
            length += t.elementCount();
        }
        Object data = Array.newInstance(first.datatype().storage().getComponentType(), length);
        int offset = 0;
        for (Tensor t : parts) {
            System.arraycopy(t.data(), 0, data, offset, t.elementCount());
            offset += t.elementCount();
        }
        long[] shape = first.shape();
        shape[0] = rows;
        return new Tensor(first.name(), first.datatype(), shape, data);
    }

    /** Rows {@code from} to {@code from + rows} (exclusive) of {@code t}. */
    static Tensor slice(Tensor t, int from, int rows) {
        long[] shape = t.shape();
        int perRow = shape[0] == 0 ? 0 : (int) (t.elementCount() / shape[0]);
        Object data = Array.newInstance(t.datatype().storage().getComponentType(), rows * perRow);
        System.arraycopy(t.data(), from * perRow, data, 0, rows * perRow);
        shape[0] = rows;
        return new Tensor(t.name(), t.datatype(), shape, data);
    }
}
