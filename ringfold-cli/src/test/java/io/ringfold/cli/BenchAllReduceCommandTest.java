package io.ringfold.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** {@code bench allreduce} with two real processes through each transport: one JSON line per size. */
class BenchAllReduceCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void bothTransportsReportEverySize() throws Exception {
        for (String transport : new String[] {"shm", "tcp"}) {
            CliRunner r = CliRunner.run("bench", "allreduce", "--nproc", "2", "--sizes", "8,64K", "--iterations", "3",
                    "--warmup", "1", "--json", "--transport", transport);
            assertThat(r.status()).as(r.err()).isZero();
            String[] lines = r.out().strip().split("\n");
            assertThat(lines).hasSize(2);
            for (int i = 0; i < 2; i++) {
                JsonNode n = JSON.readTree(lines[i]);
                assertThat(n.get("size_bytes").asLong()).isEqualTo(i == 0 ? 8 : 65536);
                assertThat(n.get("transport").asText()).isEqualTo(transport);
                assertThat(n.get("time_us").asDouble()).isPositive();
                assertThat(n.get("raw_tcp_gbps").asDouble()).isPositive();
                assertThat(n.get("raw_tcp_duplex_gbps").asDouble()).isPositive();
            }
        }
    }

    @Test
    void anUnknownTransportIsRefused() {
        CliRunner r = CliRunner.run("bench", "allreduce", "--transport", "rdma");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--transport: rdma (expected: auto, tcp or shm)");
    }
}
