package io.ringfold.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FitExchangeTest {

    @TempDir
    Path dir;

    private static ObjectNode header() {
        ObjectNode h = new ObjectMapper().createObjectNode();
        h.put("master", "local[2]");
        h.put("workers", 2);
        return h;
    }

    @Test
    void denseRowsComeBackBitForBit() {
        // Negative zero, a subnormal and NaN payload bits: a text or double round trip would lose some.
        float[] data = {-0.0f, Float.MIN_VALUE, Float.intBitsToFloat(0x7fc00123), 1.1f, -3e38f, 0.1f};
        Path f = dir.resolve("r.bin");
        FitExchange.writeRequest(f, header(), new FloatMatrix(2, 3, data), new float[] {1f, 0f});
        FitExchange.Request r = FitExchange.readRequest(f);
        assertThat(r.header()).isEqualTo(header());
        FloatMatrix x = (FloatMatrix) r.x();
        assertThat(x.rows()).isEqualTo(2);
        assertThat(x.cols()).isEqualTo(3);
        for (int i = 0; i < data.length; i++) {
            assertThat(Float.floatToRawIntBits(x.data()[i])).isEqualTo(Float.floatToRawIntBits(data[i]));
        }
        assertThat(r.y()).containsExactly(1f, 0f);
    }

    @Test
    void sparseRowsStaySparse() {
        CsrMatrix m = new CsrMatrix(3, 5, new int[] {0, 2, 2, 3}, new int[] {0, 4, 2}, new float[] {1.5f, -2f, 7f});
        Path f = dir.resolve("r.bin");
        FitExchange.writeRequest(f, header(), m, new float[] {0f, 1f, 2f});
        CsrMatrix x = (CsrMatrix) FitExchange.readRequest(f).x();
        assertThat(x.nonZeros()).isEqualTo(3);
        assertThat(x.get(0, 4)).isEqualTo(-2f);
        assertThat(x.get(1, 0)).isZero();
        assertThat(x.get(2, 2)).isEqualTo(7f);
    }

    @Test
    void resultsKeepParametersHistoryAndTelemetry() {
        float[] p = {0.25f, -1e-30f, 3f};
        EpochMetrics e = new EpochMetrics(1, 0.5, 0.75, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                0.01f, 2.0, 100.0);
        TrainingResult in = new TrainingResult(p, List.of(e), 1, false, 2.0, 200, 2, 4,
                List.of(new RankTelemetry(0, 1.5, 0.5, 1000), new RankTelemetry(1, 1.4, 0.6, 1000)));
        ObjectNode extra = new ObjectMapper().createObjectNode().put("blas", "test");
        Path f = dir.resolve("result.json");
        FitExchange.writeResult(f, in, extra);
        FitExchange.Result out = FitExchange.readResult(f);
        assertThat(out.result().parameters()).containsExactly(p);
        assertThat(out.result().epochs()).hasSize(1);
        assertThat(out.result().epochs().get(0).loss()).isEqualTo(0.5);
        assertThat(out.result().telemetry()).containsExactlyElementsOf(in.telemetry());
        assertThat(out.result().workers()).isEqualTo(2);
        assertThat(out.result().shards()).isEqualTo(4);
        assertThat(out.json().path("blas").asText()).isEqualTo("test");
    }

    @Test
    void aForeignOrTruncatedFileIsNamed() throws Exception {
        Path foreign = dir.resolve("foreign.bin");
        Files.write(foreign, "hello, this is not a request".getBytes());
        assertThatThrownBy(() -> FitExchange.readRequest(foreign))
                .hasMessageContaining("foreign.bin: not a Ringfold fit request (bad magic)");
        Path f = dir.resolve("r.bin");
        FitExchange.writeRequest(f, header(), new FloatMatrix(2, 2, new float[] {1, 2, 3, 4}), new float[] {0, 1});
        byte[] all = Files.readAllBytes(f);
        Path cut = dir.resolve("cut.bin");
        Files.write(cut, Arrays.copyOf(all, all.length - 3));
        assertThatThrownBy(() -> FitExchange.readRequest(cut)).hasMessageContaining("cut.bin: truncated");
    }
}
