package io.ringfold.serving.backend.ringfold;

import io.ringfold.model.Model;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchObserver;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.Tensor;
import io.ringfold.tensor.Blas;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A model with a text column takes raw text: BYTES tensors, tokenised with the model's saved vocabulary. */
class TextInputTest {

    private static Tensor strings(long rows, String... values) {
        return Tensor.ofStrings("input", new long[] {rows, values.length / rows}, values);
    }

    @Test
    void theSignatureAsksForStrings() {
        RingfoldSignature s = RingfoldSignature.of(TestModels.spamFilter());
        assertThat(s.text()).isTrue();
        assertThat(s.categorical()).isFalse();
        assertThat(s.takesStrings()).isTrue();
        assertThat(s.inputDatatype()).isEqualTo(DataType.BYTES);
        assertThat(s.width()).isEqualTo(1);
        assertThat(s.columns()).containsExactly("body");
        assertThat(s.toModelSignature().inputs().get(0).toString()).isEqualTo("'input' BYTES [-1, 1]");
        assertThat(RingfoldSignature.of(TestModels.softmax(1)).inputDatatype()).isEqualTo(DataType.FP32);
    }

    @Test
    void textIsTokenisedAndCountedWithTheSavedVocabulary() {
        Model m = TestModels.spamFilter();
        RowDecoder d = new RowDecoder(m, RingfoldSignature.of(m));
        // Columns: unknown, free, money, meeting.
        float[] rows = d.decode("t", strings(3, "Free money, FREE!", "meeting at 10\r\nin room 3", ""), 3);
        assertThat(rows).containsExactly(0, 2, 1, 0, /* at 10 in room 3 */ 5, 0, 0, 1, 0, 0, 0, 0);
        // A number sent in a BYTES tensor is text too: its token.
        assertThat(d.decode("t", strings(1, "42"), 1)).containsExactly(1, 0, 0, 0);
        // Logit 2 * 1 + 1 * 1 - 1 = 2 for the first row.
        float p = m.predictPreprocessed(Blas.get(), new io.ringfold.tensor.FloatMatrix(1, 4, new float[] {0, 2, 1, 0}))
                .get(0, 0);
        assertThat(p).isEqualTo((float) (1 / (1 + Math.exp(-2))), org.assertj.core.api.Assertions.within(1e-6f));
    }

    @Test
    void aTensorOfTextMustBeBytesOfTheModelsShape() throws Exception {
        Model m = TestModels.spamFilter();
        RingfoldServable s = new RingfoldServable("spam-1", m, new BatchingConfig(false, 8, 0, 16, 1), Blas.get(),
                BatchObserver.NONE);
        try {
            List<Tensor> out = s.infer(List.of(strings(2, "free", "meeting, money"))).get(10, TimeUnit.SECONDS);
            assertThat(out.get(0).shape()).containsExactly(2, 2);
            assertThat(out.get(1).string(0)).isIn(m.classNames());
            Tensor fp32 = new Tensor("input", DataType.FP32, new long[] {1, 1}, new float[] {1});
            assertThatThrownBy(() -> s.infer(List.of(fp32))).isInstanceOf(BadInputException.class)
                    .hasMessage("input 'input': datatype FP32 (expected: BYTES, the model has a text column)");
            assertThatThrownBy(() -> s.infer(List.of(strings(1, "a", "b")))).isInstanceOf(BadInputException.class)
                    .hasMessage("input 'input': shape [1, 2] (expected: [rows, 1], the model's 1 input columns)");
            assertThatThrownBy(() -> s.infer(List.of(strings(1, "a").renamed("text")))).isInstanceOf(BadInputException.class)
                    .hasMessage("inputs[0].name: 'text' (expected: 'input')");
        } finally {
            s.shutdown();
        }
    }
}
