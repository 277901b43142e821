package io.ringfold.serving.backend.ringfold;

import io.ringfold.model.Model;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Numeric tensors of every numeric datatype decode to the model's rows alike; non-finite values are named. */
class RowDecoderTest {

    @Test
    void everyNumericDatatypeGivesTheSameRows() {
        Model m = TestModels.softmax(1);
        RowDecoder d = new RowDecoder(m, RingfoldSignature.of(m));
        float[] fp32 = d.decode("t", new Tensor("input", DataType.FP32, new long[] {1, 2}, new float[] {3, 0.25f}), 1);
        float[] fp64 = d.decode("t", new Tensor("input", DataType.FP64, new long[] {1, 2}, new double[] {3, 0.25}), 1);
        float[] int64 = d.decode("t", new Tensor("input", DataType.INT64, new long[] {1, 2}, new long[] {3, 0}), 1);
        assertThat(fp32).containsExactly(3f, 0.25f);
        assertThat(fp64).containsExactly(fp32);
        assertThat(int64).containsExactly(3f, 0f);
        assertThatThrownBy(() -> d.decode("t", new Tensor("input", DataType.FP32, new long[] {1, 2},
                new float[] {1, Float.NaN}), 1))
                .isInstanceOf(BadInputException.class)
                .hasMessage("t: row 0, column 'x1': NaN (expected: a finite number within float range)");
        assertThatThrownBy(() -> d.decode("t", new Tensor("input", DataType.FP64, new long[] {1, 2},
                new double[] {1e39, 0}), 1))
                .isInstanceOf(BadInputException.class)
                .hasMessage("t: row 0, column 'x0': 1.0E39 (expected: a finite number within float range)");
    }
}
