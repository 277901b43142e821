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

    /**
     * One process per machine (here two threads of this JVM joining over loopback TCP, as two machines
     * would over their network): every rank runs the sizes and raw TCP, and rank 0 alone prints.
     */
    @Test
    void ranksJoinedByRendezvousReportOnRankZero() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String[] common = {"bench", "allreduce", "--sizes", "8,1M", "--iterations", "3", "--warmup", "1", "--json",
                "--transport", "tcp", "--world-size", "2", "--rendezvous", "127.0.0.1:" + port, "--rank"};
        java.util.concurrent.CompletableFuture<CliRunner> rank1 = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> CliRunner.run(with(common, "1")));
        CliRunner rank0 = CliRunner.run(with(common, "0"));
        CliRunner other = rank1.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(rank0.status()).as(rank0.err()).isZero();
        assertThat(other.status()).as(other.err()).isZero();
        assertThat(other.out()).isEmpty();
        String[] lines = rank0.out().strip().split("\n");
        assertThat(lines).hasSize(2);
        for (int i = 0; i < 2; i++) {
            JsonNode n = JSON.readTree(lines[i]);
            assertThat(n.get("size_bytes").asLong()).isEqualTo(i == 0 ? 8 : 1 << 20);
            assertThat(n.get("ranks").asInt()).isEqualTo(2);
            assertThat(n.get("transport").asText()).isEqualTo("tcp");
            assertThat(n.get("busbw_gbps").asDouble()).isPositive();
            assertThat(n.get("raw_tcp_gbps").asDouble()).isPositive();
            assertThat(n.get("raw_tcp_duplex_gbps").asDouble()).isPositive();
        }
    }

    private static String[] with(String[] args, String last) {
        String[] all = java.util.Arrays.copyOf(args, args.length + 1);
        all[args.length] = last;
        return all;
    }

    @Test
    void groupFlagsAreCheckedBeforeAnythingStarts() {
        String[][] cases = {
            {"--rank", "0", "--world-size", "2"},
            {"--rank", "0", "--world-size", "2", "--rendezvous", "127.0.0.1:1", "--nproc", "2"},
            {"--rank", "2", "--world-size", "2", "--rendezvous", "127.0.0.1:1"},
            {"--rank", "0", "--world-size", "1", "--rendezvous", "127.0.0.1:1"},
            {"--rank", "0", "--world-size", "2", "--rendezvous", "nowhere"},
        };
        String[] expected = {
            "--rank, --world-size and --rendezvous go together (expected: all three, for one process per machine)",
            "--nproc with --rank/--world-size/--rendezvous (expected: --nproc for local processes, or the other three",
            "--rank: 2 (expected: 0..1 for --world-size 2)",
            "--world-size: 1 (expected: >= 2)",
            "--rendezvous: ",
        };
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 2];
            args[0] = "bench";
            args[1] = "allreduce";
            System.arraycopy(cases[i], 0, args, 2, cases[i].length);
            CliRunner r = CliRunner.run(args);
            assertThat(r.status()).as(String.join(" ", cases[i])).isEqualTo(2);
            assertThat(r.err()).as(String.join(" ", cases[i])).contains(expected[i]);
        }
    }

    @Test
    void anUnknownTransportIsRefused() {
        CliRunner r = CliRunner.run("bench", "allreduce", "--transport", "rdma");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--transport: rdma (expected: auto, tcp or shm)");
    }
}
