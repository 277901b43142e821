package io.ringfold.serving.backend.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.io.ModelLimits;
import io.ringfold.serving.batching.BatchObserver;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The ONNX fixtures of src/test/resources/onnx, written by src/test/python/make_onnx_fixtures.py with PyTorch,
 * and the inputs and outputs PyTorch computed for them (expected.json).
 */
public final class OnnxFixtures {

    /** Batching on, a delay long enough for concurrent requests to meet, one worker. */
    static final BatchingConfig BATCHING = new BatchingConfig(true, 64, 2000, 1024, 1);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonNode expected;

    private OnnxFixtures() {
    }

    /** The fixture file {@code name} (as src/test/resources/onnx holds it). */
    public static Path file(String name) {
        try {
            return Path.of(OnnxFixtures.class.getResource("/onnx/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("fixture '" + name + "' not found (expected: in src/test/resources/onnx)", e);
        }
    }

    /** Copies fixture {@code fixture}.onnx to {@code repo/model/version/model.onnx}; returns that file. */
    public static Path install(Path repo, String model, long version, String fixture) throws IOException {
        Path dir = Files.createDirectories(repo.resolve(model).resolve(Long.toString(version)));
        return Files.copy(file(fixture + ".onnx"), dir.resolve(OnnxServable.FILE_NAME));
    }

    /** Fixture {@code fixture}.onnx loaded (not warmed) with the default limits and options. */
    static OnnxServable load(String fixture, BatchingConfig batching) throws IOException {
        return load(fixture, batching, BatchObserver.NONE);
    }

    static OnnxServable load(String fixture, BatchingConfig batching, BatchObserver observer) throws IOException {
        return OnnxServable.load(fixture + "-1", file(fixture + ".onnx"), ModelLimits.defaults(), OnnxOptions.defaults(),
                batching, observer);
    }

    /** expected.json's entry of {@code model}: {"inputs": [...], "outputs": [...]}. */
    static JsonNode expected(String model) {
        synchronized (OnnxFixtures.class) {
            if (expected == null) {
                try {
                    expected = JSON.readTree(file("expected.json").toFile()).get("models");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return expected.get(model);
    }

    /** The tensors of an expected.json list: name, datatype (FP32 or INT64), shape, flat data. */
    static List<Tensor> tensors(JsonNode list) {
        List<Tensor> out = new ArrayList<>();
        for (JsonNode t : list) {
            long[] shape = new long[t.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get("shape").get(i).longValue();
            }
            JsonNode data = t.get("data");
            DataType type = DataType.parse(t.get("datatype").textValue());
            Object values;
            if (type == DataType.INT64) {
                long[] v = new long[data.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = data.get(i).longValue();
                }
                values = v;
            } else {
                float[] v = new float[data.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) data.get(i).doubleValue();
                }
                values = v;
            }
            out.add(new Tensor(t.get("name").textValue(), type, shape, values));
        }
        return out;
    }

    /** The outputs of {@code inputs}, waited for at most 30 s. */
    static List<Tensor> infer(OnnxServable s, List<Tensor> inputs) throws Exception {
        return s.infer(inputs).get(30, TimeUnit.SECONDS);
    }

    /** Asserts {@code actual} has the names, datatypes and shapes of {@code expected}, and its values within {@code tolerance}. */
    static void assertTensors(List<Tensor> actual, List<Tensor> expected, double tolerance) {
        assertThat(actual).extracting(Tensor::name).containsExactlyElementsOf(expected.stream().map(Tensor::name).toList());
        for (int k = 0; k < expected.size(); k++) {
            Tensor a = actual.get(k);
            Tensor e = expected.get(k);
            assertThat(a.datatype()).as(a.name()).isEqualTo(e.datatype());
            assertThat(a.shape()).as(a.name()).containsExactly(e.shape());
            for (int i = 0; i < e.elementCount(); i++) {
                assertThat(a.number(i)).as("%s[%d]", a.name(), i).isCloseTo(e.number(i), within(tolerance));
            }
        }
    }
}
