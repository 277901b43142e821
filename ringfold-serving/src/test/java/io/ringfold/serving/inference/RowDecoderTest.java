package io.ringfold.serving.inference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.ringfold.model.Model;
import io.ringfold.serving.TestModels;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The numeric shortcut of {@link RowDecoder} against its definition: {@code Float.parseFloat} of the
 * value's JSON text, which is how {@code ringfold predict} and the text path read a number.
 */
class RowDecoderTest {

    /** 1 + 2^-24: a double exactly halfway between the floats 1 and 1 + 2^-23. */
    private static final double HALFWAY = 1 + Math.scalb(1.0, -24);

    @Test
    void theShortcutGivesTheBitsOfParsingTheText() {
        List<JsonNode> eligible = List.of(IntNode.valueOf(0), IntNode.valueOf(-7), IntNode.valueOf(16_777_217),
                IntNode.valueOf(Integer.MIN_VALUE), LongNode.valueOf(Long.MAX_VALUE), LongNode.valueOf((1L << 53) + 1),
                DoubleNode.valueOf(13.0), DoubleNode.valueOf(-0.0), DoubleNode.valueOf(0.1f),
                FloatNode.valueOf(0.1f), FloatNode.valueOf(Float.MIN_VALUE), FloatNode.valueOf(-Float.MAX_VALUE),
                FloatNode.valueOf(1e-30f), FloatNode.valueOf(3.4e38f));
        for (JsonNode v : eligible) {
            float expected = Float.parseFloat(v.asText());
            assertThat(Float.floatToRawIntBits(RowDecoder.exactFloat(v))).as("%s", v)
                    .isEqualTo(Float.floatToRawIntBits(expected));
        }
    }

    @Test
    void valuesThatWouldRoundTwiceOrAreNotPlainNumbersKeepTheTextPath() {
        // Casting rounds the halfway double to even (1); parsing its shortest text rounds up: they differ,
        // which is why such doubles are left to the text path.
        assertThat((float) HALFWAY).isEqualTo(1f);
        assertThat(Float.parseFloat(Double.toString(HALFWAY))).isEqualTo(Math.nextUp(1f));
        for (JsonNode v : List.of(DoubleNode.valueOf(HALFWAY), DoubleNode.valueOf(0.1), DoubleNode.valueOf(1e39),
                DoubleNode.valueOf(Double.NaN), DoubleNode.valueOf(Double.POSITIVE_INFINITY),
                FloatNode.valueOf(Float.NEGATIVE_INFINITY), TextNode.valueOf("1"))) {
            assertThat(RowDecoder.exactFloat(v)).as("%s", v).isNaN();
        }
    }

    @Test
    void rowsDecodeAlikeEitherWayAndBadValuesAreStillNamed() {
        Model m = TestModels.softmax(1);
        RowDecoder d = new RowDecoder(m, Signature.of(m));
        float[] shortcut = d.decode("t", List.of(List.of(IntNode.valueOf(3), DoubleNode.valueOf(0.25))));
        float[] text = d.decode("t", List.of(List.of(TextNode.valueOf("3"), TextNode.valueOf("0.25"))));
        float[] rounding = d.decode("t", List.of(List.of(DoubleNode.valueOf(HALFWAY), IntNode.valueOf(0))));
        assertThat(shortcut).containsExactly(3f, 0.25f);
        assertThat(text).containsExactly(shortcut);
        assertThat(rounding).containsExactly(Math.nextUp(1f), 0f);
        assertThatThrownBy(() -> d.decode("t", List.of(List.of(IntNode.valueOf(1), DoubleNode.valueOf(Double.NaN)))))
                .isInstanceOf(BadInputException.class)
                .hasMessage("t: row 0, column 'x1': NaN (expected: a finite number within float range)");
    }
}
