package io.ringfold.serving.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ringfold.model.Model;
import io.ringfold.serving.TestModels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A model with a text column takes raw text: BYTES tensors, tokenised with the model's saved vocabulary. */
class TextInputTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theSignatureAsksForStrings() {
        Signature s = Signature.of(TestModels.spamFilter());
        assertThat(s.text()).isTrue();
        assertThat(s.categorical()).isFalse();
        assertThat(s.takesStrings()).isTrue();
        assertThat(s.inputDatatype()).isEqualTo("BYTES");
        assertThat(s.width()).isEqualTo(1);
        assertThat(s.columns()).containsExactly("body");
        assertThat(Signature.of(TestModels.softmax(1)).inputDatatype()).isEqualTo("FP32");
    }

    @Test
    void textIsTokenisedAndCountedWithTheSavedVocabulary() {
        Model m = TestModels.spamFilter();
        RowDecoder d = new RowDecoder(m, Signature.of(m));
        assertThat(d.numeric()).isFalse();
        // Columns: unknown, free, money, meeting.
        float[] rows = d.decode("t", List.of(List.of(TextNode.valueOf("Free money, FREE!")),
                List.of(TextNode.valueOf("meeting at 10\r\nin room 3")), List.of(TextNode.valueOf(""))));
        assertThat(rows).containsExactly(0, 2, 1, 0, /* at 10 in room 3 */ 5, 0, 0, 1, 0, 0, 0, 0);
        // A number in a BYTES tensor is text too: its token.
        assertThat(d.decode("t", List.of(List.of(IntNode.valueOf(42))))).containsExactly(1, 0, 0, 0);
        // Logit 2 * 1 + 1 * 1 - 1 = 2 for the first row.
        float p = m.predictPreprocessed(io.ringfold.tensor.Blas.get(),
                new io.ringfold.tensor.FloatMatrix(1, 4, new float[] {0, 2, 1, 0})).get(0, 0);
        assertThat(p).isEqualTo((float) (1 / (1 + Math.exp(-2))), org.assertj.core.api.Assertions.within(1e-6f));
    }

    @Test
    void badValuesNameTheTensorRowAndColumn() {
        Model m = TestModels.spamFilter();
        RowDecoder d = new RowDecoder(m, Signature.of(m));
        assertThatThrownBy(() -> d.decode("inputs[0] 'input'", List.of(List.of(TextNode.valueOf("ok")),
                List.of(BooleanNode.TRUE))))
                .isInstanceOf(BadInputException.class)
                .hasMessage("inputs[0] 'input': row 1, column 'body': boolean (expected: a string of text)");
        assertThatThrownBy(() -> d.decode("instances", List.of(List.of(NullNode.instance))))
                .hasMessage("instances: row 0, column 'body': null (expected: a string of text)");
        assertThatThrownBy(() -> d.decode("instances", List.of(List.of(TextNode.valueOf("a"), TextNode.valueOf("b")))))
                .hasMessage("instances: row 0 has 2 values (expected: 1, the model's input columns)");
    }

    @Test
    void aV2TensorOfTextMustBeBytes() throws Exception {
        Model m = TestModels.spamFilter();
        Signature s = Signature.of(m);
        RowDecoder d = new RowDecoder(m, s);
        JsonNode ok = JSON.readTree("{\"name\": \"input\", \"datatype\": \"BYTES\", \"shape\": [2, 1],"
                + " \"data\": [\"free\", \"meeting, money\"]}");
        InferenceCall.Rows rows = TensorDecoder.decode(s, d, ok);
        assertThat(rows.count()).isEqualTo(2);
        assertThat(rows.values()).containsExactly(0, 1, 0, 0, 0, 0, 1, 1);
        JsonNode fp32 = JSON.readTree("{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [1, 1], \"data\": [1]}");
        assertThatThrownBy(() -> TensorDecoder.decode(s, d, fp32)).isInstanceOf(BadInputException.class)
                .hasMessage("input 'input': datatype FP32 (expected: BYTES, the model has a text column)");
        JsonNode object = JSON.readTree("{\"name\": \"input\", \"datatype\": \"BYTES\", \"shape\": [1, 1],"
                + " \"data\": [true]}");
        assertThatThrownBy(() -> TensorDecoder.decode(s, d, object))
                .hasMessage("input 'input': data[0] is boolean true (expected: a string for datatype BYTES)");
    }
}
