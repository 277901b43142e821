package io.ringfold.serving.backend.onnx;

import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.core.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static io.ringfold.serving.backend.onnx.OnnxFixtures.assertTensors;
import static io.ringfold.serving.backend.onnx.OnnxFixtures.expected;
import static io.ringfold.serving.backend.onnx.OnnxFixtures.infer;
import static io.ringfold.serving.backend.onnx.OnnxFixtures.tensors;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fixtures PyTorch exported, served: their signatures as the graphs declare them and PyTorch's outputs. */
class OnnxServableTest {

    private static TensorSpec spec(String name, DataType type, long... shape) {
        return new TensorSpec(name, type, shape);
    }

    @Test
    void signaturesAreTheGraphsOwnNamesDatatypesAndShapesWithMinusOneForDynamicDimensions() throws Exception {
        assertSignature("mlp", List.of(spec("features", DataType.FP32, -1, 4)), List.of(spec("scores", DataType.FP32, -1, 3)));
        assertSignature("cnn", List.of(spec("image", DataType.FP32, -1, 1, 8, 8)),
                List.of(spec("logits", DataType.FP32, -1, 2)));
        assertSignature("two_io", List.of(spec("a", DataType.FP32, -1, 3), spec("b", DataType.FP32, -1, 2)),
                List.of(spec("mixed", DataType.FP32, -1, 2), spec("scaled", DataType.FP32, -1, 3)));
        assertSignature("embedding", List.of(spec("tokens", DataType.INT64, -1, -1)),
                List.of(spec("embedding", DataType.FP32, -1, 6)));
        assertSignature("fixed", List.of(spec("features", DataType.FP32, 2, 4)), List.of(spec("scores", DataType.FP32, 2, 3)));
        assertSignature("batch_sum", List.of(spec("x", DataType.FP32, -1, 4)), List.of(spec("total", DataType.FP32, 4)));
    }

    private static void assertSignature(String fixture, List<TensorSpec> inputs, List<TensorSpec> outputs) throws Exception {
        OnnxServable s = OnnxFixtures.load(fixture, BatchingConfig.defaults());
        try {
            ModelSignature sig = s.signature();
            assertThat(sig.platform()).isEqualTo("onnxruntime_onnx");
            assertThat(sig.inputs()).as(fixture).containsExactlyElementsOf(inputs);
            assertThat(sig.outputs()).as(fixture).containsExactlyElementsOf(outputs);
        } finally {
            close(s);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "two_io", "embedding", "fixed", "batch_sum"})
    void outputsAreThoseOfPyTorchWithinOneInAHundredThousand(String fixture) throws Exception {
        OnnxServable s = OnnxFixtures.load(fixture, OnnxFixtures.BATCHING);
        try {
            s.warm();
            List<Tensor> out = infer(s, tensors(expected(fixture).get("inputs")));
            assertTensors(out, tensors(expected(fixture).get("outputs")), 1e-5);
        } finally {
            close(s);
        }
    }

    @Test
    void batchingIsOnOnlyWhenEveryInputAndOutputHasADynamicFirstDimension() throws Exception {
        OnnxServable mlp = OnnxFixtures.load("mlp", OnnxFixtures.BATCHING);
        OnnxServable fixed = OnnxFixtures.load("fixed", OnnxFixtures.BATCHING);
        OnnxServable sum = OnnxFixtures.load("batch_sum", OnnxFixtures.BATCHING);
        try {
            assertThat(mlp.batching().enabled()).isTrue();
            assertThat(mlp.unbatchable()).isNull();
            assertThat(fixed.batching().enabled()).isFalse();
            assertThat(fixed.unbatchable()).isEqualTo("input 'features' has shape [2, 4], no dynamic first dimension");
            assertThat(sum.batching().enabled()).isFalse();
            assertThat(sum.unbatchable()).isEqualTo("output 'total' has shape [4], no dynamic first dimension");
            assertThat(sum.describe()).contains("batching off (output 'total' has shape [4]");
        } finally {
            close(mlp);
            close(fixed);
            close(sum);
        }
    }

    @Test
    void metadataComesFromTheGraph() throws Exception {
        OnnxServable s = OnnxFixtures.load("mlp", BatchingConfig.defaults());
        try {
            assertThat(s.metadata()).containsEntry("producer", "pytorch").containsEntry("graph_name", "mlp")
                    .containsEntry("domain", "io.ringfold.test").containsEntry("version", "3")
                    .containsEntry("description", "ringfold-serving test fixture 'mlp'");
            assertThat(s.describe()).startsWith("ONNX graph 'mlp' from mlp.onnx by pytorch");
        } finally {
            close(s);
        }
    }

    /** Identity of each datatype: what goes in comes back, through ONNX Runtime's buffers both ways. */
    @Test
    void everyDatatypeTheJavaApiPassesMakesTheRoundTrip() throws Exception {
        OnnxServable s = OnnxFixtures.load("types", OnnxFixtures.BATCHING);
        try {
            long[] shape = {2, 2};
            List<Tensor> in = List.of(
                    new Tensor("fp64_in", DataType.FP64, shape, new double[] {1.5, -2.25, Double.MAX_VALUE, 1e-300}),
                    new Tensor("int32_in", DataType.INT32, shape, new int[] {Integer.MIN_VALUE, -1, 0, Integer.MAX_VALUE}),
                    new Tensor("int8_in", DataType.INT8, shape, new int[] {-128, -1, 0, 127}),
                    new Tensor("uint8_in", DataType.UINT8, shape, new int[] {0, 1, 128, 255}),
                    new Tensor("int16_in", DataType.INT16, shape, new int[] {-32768, -1, 0, 32767}),
                    new Tensor("fp16_in", DataType.FP16, shape, new float[] {0.5f, -2f, 65504f, 0.000061035156f}),
                    new Tensor("bool_in", DataType.BOOL, shape, new boolean[] {true, false, false, true}),
                    Tensor.ofStrings("text_in", shape, new String[] {"", "a", "héllo", "日本"}));
            assertThat(s.signature().inputs()).extracting(TensorSpec::datatype)
                    .containsExactlyElementsOf(in.stream().map(Tensor::datatype).toList());
            List<Tensor> out = infer(s, in);
            assertThat(out).extracting(Tensor::name).containsExactly("fp64_out", "int32_out", "int8_out", "uint8_out",
                    "int16_out", "fp16_out", "bool_out", "text_out");
            for (int k = 0; k < in.size(); k++) {
                assertThat(out.get(k).datatype()).isEqualTo(in.get(k).datatype());
                assertThat(out.get(k).shape()).containsExactly(shape);
                assertThat(out.get(k).data()).as(out.get(k).name()).isEqualTo(in.get(k).data());
            }
            assertThat(out.get(7).string(2)).isEqualTo("héllo");
            assertThat(out.get(7).bytes()[3]).isEqualTo("日本".getBytes(StandardCharsets.UTF_8));
        } finally {
            close(s);
        }
    }

    @Test
    void warmUpRunsZerosAndAModelThatCannotComputeThemIsRefusedWithTheRuntimesReason() throws Exception {
        OnnxServable s = OnnxFixtures.load("fails_on_one", BatchingConfig.defaults());
        try {
            assertThatThrownBy(s::warm).isInstanceOf(IllegalStateException.class)
                    .hasMessageStartingWith("warm-up inference on zeros failed: model fails_on_one-1: ONNX Runtime: ")
                    .hasMessageContaining("Reshape");
        } finally {
            close(s);
        }
    }

    @Test
    void afterShutdownRequestsAreRefusedAndTheSessionClosesOnceDrained() throws Exception {
        OnnxServable s = OnnxFixtures.load("mlp", OnnxFixtures.BATCHING);
        s.warm();
        List<Tensor> in = tensors(expected("mlp").get("inputs"));
        var pending = s.infer(in);
        s.shutdown();
        assertThat(s.awaitTermination(10_000)).isTrue();
        assertThat(pending).isCompleted();
        assertTensors(pending.get(), tensors(expected("mlp").get("outputs")), 1e-5);
        assertThatThrownBy(() -> s.infer(in)).isInstanceOf(io.ringfold.serving.core.UnavailableException.class);
    }

    static void close(OnnxServable s) throws InterruptedException {
        s.shutdown();
        assertThat(s.awaitTermination(10_000)).as("session closed within 10 s").isTrue();
    }
}
