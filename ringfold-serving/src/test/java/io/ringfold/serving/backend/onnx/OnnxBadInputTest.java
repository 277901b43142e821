package io.ringfold.serving.backend.onnx;

import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.Failure;
import io.ringfold.serving.core.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.ExecutionException;

import static io.ringfold.serving.backend.onnx.OnnxFixtures.expected;
import static io.ringfold.serving.backend.onnx.OnnxFixtures.infer;
import static io.ringfold.serving.backend.onnx.OnnxFixtures.tensors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Requests that do not fit the graph are refused before they are queued, each with a BadInputException naming the
 * tensor and both sides; one ONNX Runtime refuses while computing fails alone, as bad input.
 */
class OnnxBadInputTest {

    private static OnnxServable twoIo;
    private static OnnxServable fixed;
    private static OnnxServable embedding;
    private static OnnxServable types;

    @BeforeAll
    static void load() throws Exception {
        twoIo = OnnxFixtures.load("two_io", OnnxFixtures.BATCHING);
        fixed = OnnxFixtures.load("fixed", OnnxFixtures.BATCHING);
        embedding = OnnxFixtures.load("embedding", OnnxFixtures.BATCHING);
        types = OnnxFixtures.load("types", OnnxFixtures.BATCHING);
    }

    @AfterAll
    static void close() throws Exception {
        for (OnnxServable s : List.of(twoIo, fixed, embedding, types)) {
            OnnxServableTest.close(s);
        }
    }

    private static Tensor floats(String name, long... shape) {
        return Tensor.ofFloats(name, shape, new float[(int) Tensor.elementCount(shape)]);
    }

    @Test
    void anUnknownInputNameIsRefusedNamingItAndTheKnownOnes() {
        assertThatThrownBy(() -> twoIo.infer(List.of(floats("a", 1, 3), floats("c", 1, 2))))
                .isInstanceOf(BadInputException.class).hasMessage("input 'c': unknown (expected: one of [a, b])");
    }

    @Test
    void aMissingInputIsRefusedNamingIt() {
        assertThatThrownBy(() -> twoIo.infer(List.of(floats("a", 1, 3))))
                .isInstanceOf(BadInputException.class).hasMessage("input 'b': missing (expected: every input of [a, b])");
    }

    @Test
    void anInputGivenTwiceIsRefused() {
        assertThatThrownBy(() -> twoIo.infer(List.of(floats("a", 1, 3), floats("b", 1, 2), floats("a", 1, 3))))
                .isInstanceOf(BadInputException.class).hasMessage("input 'a': given twice (expected: each input once)");
    }

    @Test
    void aWrongDatatypeIsRefusedNamingTheExpectedOne() {
        Tensor doubles = new Tensor("a", DataType.FP64, new long[] {1, 3}, new double[3]);
        assertThatThrownBy(() -> twoIo.infer(List.of(doubles, floats("b", 1, 2))))
                .isInstanceOf(BadInputException.class).hasMessage("input 'a': datatype FP64 (expected: FP32)");
        Tensor ints = new Tensor("tokens", DataType.INT32, new long[] {1, 2}, new int[2]);
        assertThatThrownBy(() -> embedding.infer(List.of(ints)))
                .isInstanceOf(BadInputException.class).hasMessage("input 'tokens': datatype INT32 (expected: INT64)");
    }

    @Test
    void aWrongFixedDimensionIsRefusedWithBothShapes() {
        assertThatThrownBy(() -> twoIo.infer(List.of(floats("a", 1, 4), floats("b", 1, 2))))
                .isInstanceOf(BadInputException.class)
                .hasMessage("input 'a': shape [1, 4] (expected: [-1, 3], -1 any size)");
        assertThatThrownBy(() -> fixed.infer(List.of(floats("features", 3, 4))))
                .isInstanceOf(BadInputException.class)
                .hasMessage("input 'features': shape [3, 4] (expected: [2, 4], -1 any size)");
    }

    @Test
    void aWrongRankIsRefusedWithBothRanksAndShapes() {
        assertThatThrownBy(() -> twoIo.infer(List.of(floats("a", 3), floats("b", 1, 2))))
                .isInstanceOf(BadInputException.class)
                .hasMessage("input 'a': shape [3] of rank 1 (expected: rank 2, [-1, 3])");
        assertThatThrownBy(() -> embedding.infer(List.of(new Tensor("tokens", DataType.INT64, new long[] {1, 2, 1}, new long[2]))))
                .isInstanceOf(BadInputException.class)
                .hasMessage("input 'tokens': shape [1, 2, 1] of rank 3 (expected: rank 2, [-1, -1])");
    }

    @Test
    void inputsOfABatchingModelWithDifferentRowCountsAreRefused() {
        assertThatThrownBy(() -> twoIo.infer(List.of(floats("a", 2, 3), floats("b", 3, 2))))
                .isInstanceOf(BadInputException.class)
                .hasMessage("input 'b': 3 rows (expected: 2, as input 'a': a batching model's inputs share their first"
                        + " dimension)");
    }

    @Test
    void aStringThatIsNotUtf8IsRefusedBeforeItReachesTheRuntime() {
        List<Tensor> in = new java.util.ArrayList<>();
        for (var spec : types.signature().inputs()) {
            long[] shape = {1, 2};
            in.add(new Tensor(spec.name(), spec.datatype(), shape, OnnxTypes.zeros(spec.datatype(), 2)));
        }
        in.set(7, new Tensor("text_in", DataType.BYTES, new long[] {1, 2}, new byte[][] {{'o', 'k'}, {(byte) 0xff}}));
        assertThatThrownBy(() -> types.infer(in)).isInstanceOf(BadInputException.class)
                .hasMessage("input 'text_in': element 1 is not UTF-8 (expected: UTF-8 text, as ONNX Runtime's Java API"
                        + " passes strings)");
    }

    /**
     * A token id beyond the embedding table passes every check of the signature; ONNX Runtime refuses it while
     * computing. That request fails as bad input, and the request batched with it gets its answer.
     */
    @Test
    void aRequestTheRuntimeRefusesFailsAloneAsBadInput() throws Exception {
        Tensor good = tensors(expected("embedding").get("inputs")).get(0);
        Tensor bad = new Tensor("tokens", DataType.INT64, new long[] {1, 5}, new long[] {0, 1, 2, 3, 25});
        for (int attempt = 0; attempt < 20; attempt++) {
            var b = embedding.infer(List.of(bad));
            var g = embedding.infer(List.of(good));
            assertThatThrownBy(b::get).isInstanceOf(ExecutionException.class).cause()
                    .isInstanceOf(BadInputException.class).hasMessageContaining("ONNX Runtime")
                    .hasMessageContaining("25");
            assertThat(Failure.of(org.assertj.core.api.Assertions.catchThrowable(b::join))).isEqualTo(Failure.BAD_INPUT);
            OnnxFixtures.assertTensors(g.get(), tensors(expected("embedding").get("outputs")), 1e-5);
        }
        assertThat(infer(embedding, List.of(good))).hasSize(1);
    }
}
