package io.ringfold.serving.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.FloatNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * JSON numbers decoded into FP32 against their definition, {@code Float.parseFloat} of the value's JSON text
 * (how {@code ringfold predict} reads a number), for the values the shortcut takes and those that must go
 * through the text; and the datatype checks, named.
 */
class JsonTensorsTest {

    /** 1 + 2^-24: a double exactly halfway between the floats 1 and 1 + 2^-23. */
    private static final double HALFWAY = 1 + Math.scalb(1.0, -24);

    @Test
    void fp32ValuesHaveTheBitsOfParsingTheText() {
        // Casting rounds the halfway double to even (1); parsing its shortest text rounds up: they differ,
        // which is why such doubles take the text path.
        assertThat((float) HALFWAY).isEqualTo(1f);
        assertThat(Float.parseFloat(Double.toString(HALFWAY))).isEqualTo(Math.nextUp(1f));
        List<JsonNode> values = List.of(IntNode.valueOf(0), IntNode.valueOf(-7), IntNode.valueOf(16_777_217),
                IntNode.valueOf(Integer.MIN_VALUE), LongNode.valueOf(Long.MAX_VALUE), LongNode.valueOf((1L << 53) + 1),
                DoubleNode.valueOf(13.0), DoubleNode.valueOf(-0.0), DoubleNode.valueOf(0.1f), DoubleNode.valueOf(0.1),
                DoubleNode.valueOf(HALFWAY), FloatNode.valueOf(0.1f), FloatNode.valueOf(Float.MIN_VALUE),
                FloatNode.valueOf(-Float.MAX_VALUE), FloatNode.valueOf(1e-30f), FloatNode.valueOf(3.4e38f));
        float[] decoded = JsonTensors.values("t", "x", DataType.FP32, new long[] {values.size()}, values).floats();
        for (int i = 0; i < values.size(); i++) {
            assertThat(Float.floatToRawIntBits(decoded[i])).as("%s", values.get(i))
                    .isEqualTo(Float.floatToRawIntBits(Float.parseFloat(values.get(i).asText())));
        }
    }

    @Test
    void valuesOutsideTheirDatatypeAreNamed() {
        assertThatThrownBy(() -> JsonTensors.values("t", "x", DataType.FP32, new long[] {2},
                List.of(IntNode.valueOf(1), DoubleNode.valueOf(1e39))))
                .isInstanceOf(BadInputException.class)
                .hasMessage("t: data[1] is 1.0E39 (expected: a number within FP32 range)");
        assertThatThrownBy(() -> JsonTensors.values("t", "x", DataType.UINT8, new long[] {1}, List.of(IntNode.valueOf(256))))
                .isInstanceOf(BadInputException.class)
                .hasMessage("t: data[0] is 256 (expected: an integer from 0 to 255 for datatype UINT8)");
        assertThatThrownBy(() -> JsonTensors.values("t", "x", DataType.INT64, new long[] {1}, List.of(DoubleNode.valueOf(1.5))))
                .isInstanceOf(BadInputException.class)
                .hasMessage("t: data[0] is number 1.5 (expected: an integer for datatype INT64)");
        Tensor big = JsonTensors.values("t", "x", DataType.UINT64, new long[] {1},
                List.of(com.fasterxml.jackson.databind.node.BigIntegerNode.valueOf(new java.math.BigInteger("18446744073709551615"))));
        assertThat(big.longs()).containsExactly(-1L);
    }
}
