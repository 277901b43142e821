package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.privacy.RdpAccountant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ringfold federated coordinator --client-dp-*}: the flags' checks, and a short private run end to end. */
class FederatedClientDpCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SPLIT_SEED = 13;

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "federated-dp-cli-test");
        t.setDaemon(true);
        return t;
    });

    @BeforeAll
    static void split() {
        CliRunner r = CliRunner.run("federated", "split", "--data", "digits", "--clients", "6", "--labels-per-client",
                "3", "--seed", String.valueOf(SPLIT_SEED), "--out", shared.resolve("parts").toString());
        assertThat(r.status()).as(r.err()).isZero();
        System.out.println("split seed " + SPLIT_SEED);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Future<CliRunner> inThread(List<String> args) {
        return threads.submit(() -> CliRunner.run(args.toArray(String[]::new)));
    }

    /**
     * Six clients, three sampled per round on average (q = 3/6), ε 8 at δ 1e-3 over 4 rounds: the JSON carries
     * dp_epsilon and dp_delta (the accountant's ε for the chosen z), the model's provenance holds them, inspect
     * shows them as a client-level guarantee, and the dashboard's runs view lists them.
     */
    @Test
    void privateRunReportsEpsilonInItsJsonModelAndInspect() throws Exception {
        int port = freePort();
        Path out = tmp.resolve("model");
        Future<CliRunner> coordinator = inThread(List.of("federated", "coordinator", "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--rounds", "4", "--clients-per-round", "3", "--min-available-clients", "6",
                "--classes", "10", "--hidden", "16", "--lr", "0.05", "--batch-size", "32", "--seed", "3",
                "--client-dp-clip", "0.5", "--client-dp-epsilon", "8", "--client-dp-delta", "1e-3",
                "--secure-aggregation", "--join-timeout", "120", "--round-timeout", "120", "--out", out.toString(),
                "--json"));
        List<Future<CliRunner>> clients = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            clients.add(inThread(List.of("federated", "client", "--coordinator", "127.0.0.1:" + port, "--data",
                    "csv:" + shared.resolve("parts").resolve("client-" + i + ".csv") + "?label=label", "--client-id",
                    "site-" + i, "--connect-timeout", "60", "--idle-timeout", "120")));
        }
        CliRunner c = coordinator.get(240, TimeUnit.SECONDS);
        assertThat(c.status()).as(c.out() + c.err()).isZero();
        for (Future<CliRunner> f : clients) {
            CliRunner r = f.get(60, TimeUnit.SECONDS);
            assertThat(r.status()).as(r.out() + r.err()).isZero();
        }
        assertThat(c.out()).contains("client-level DP: DP-FedAvg, each update clipped to 0.5")
                .contains("(the least for ε 8.0 over 4 rounds)").contains("client-level ε ");
        JsonNode result = JSON.readTree(c.lastLine());
        double z = result.get("dp_noise_multiplier").asDouble();
        assertThat(result.get("dp_delta").asDouble()).isEqualTo(1e-3);
        assertThat(result.get("dp_epsilon").asDouble()).isEqualTo(RdpAccountant.epsilon(0.5, z, 4, 1e-3))
                .isLessThanOrEqualTo(8.0);
        assertThat(result.get("dp_mechanism").asText()).isEqualTo("dp-fedavg");
        assertThat(result.get("round_log").get(3).get("dp_epsilon").asDouble())
                .isEqualTo(result.get("dp_epsilon").asDouble());

        CliRunner inspect = CliRunner.run("inspect", out.toString());
        assertThat(inspect.status()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("-differentially private: client-level DP-FedAvg").contains("4 rounds");
        CliRunner inspectJson = CliRunner.run("inspect", out.toString(), "--json");
        assertThat(JSON.readTree(inspectJson.lastLine()).get("dp_epsilon").asDouble())
                .isEqualTo(result.get("dp_epsilon").asDouble());
        // The dashboard's runs view reads the run record beside the model, as it does train's.
        JsonNode listed = new io.ringfold.serving.dashboard.RunsView(tmp).list().get("runs").get(0);
        assertThat(listed.get("dp_epsilon").asDouble()).isEqualTo(result.get("dp_epsilon").asDouble());
        assertThat(listed.get("dp_delta").asDouble()).isEqualTo(1e-3);
    }

    @Test
    void badFlagCombinationsAreRefusedInOneLine() {
        assertRefused("--client-dp-noise-multiplier: 1.0 given without --client-dp-clip (expected: --client-dp-clip S",
                "--client-dp-noise-multiplier", "1");
        assertRefused("--client-dp-secure-rng: true given without --client-dp-clip", "--client-dp-secure-rng");
        assertRefused("--client-dp-noise-multiplier: 0.0 and --client-dp-epsilon 0.0 (expected: exactly one of them > 0",
                "--client-dp-clip", "1");
        assertRefused("--client-dp-noise-multiplier: 1.0 and --client-dp-epsilon 2.0 (expected: exactly one",
                "--client-dp-clip", "1", "--client-dp-noise-multiplier", "1", "--client-dp-epsilon", "2");
        assertRefused("--client-dp-delta: none with --client-dp-epsilon 2.0 (expected: a delta in (0, 1)",
                "--client-dp-clip", "1", "--client-dp-epsilon", "2");
        assertRefused("--client-dp-clip: -1.0 (expected: finite and > 0)", "--client-dp-clip", "-1",
                "--client-dp-noise-multiplier", "1");
        assertRefused("--min-clients: 1 with --client-dp-clip (expected: none;", "--client-dp-clip", "1",
                "--client-dp-noise-multiplier", "1", "--min-clients", "1");
        assertRefused("--client-dp-epsilon: 0.001 (expected: reachable in 2 rounds at client sampling rate 1.0",
                "--client-dp-clip", "1", "--client-dp-epsilon", "0.001", "--client-dp-delta", "1e-5");
        assertRefused("--client-dp-clip: 20.0 with noise multiplier 1.0000 (expected: clip x (1 + noise multiplier) <= 32",
                "--client-dp-clip", "20", "--client-dp-noise-multiplier", "1");
    }

    private void assertRefused(String message, String... flags) {
        List<String> args = new ArrayList<>(List.of("federated", "coordinator", "--port", "0", "--rounds", "2",
                "--clients-per-round", "2", "--out", tmp.toString()));
        args.addAll(List.of(flags));
        CliRunner r = CliRunner.run(args.toArray(String[]::new));
        assertThat(r.status()).as(r.out() + r.err()).isEqualTo(2);
        assertThat(r.err()).contains(message);
        assertThat(r.err().lines().filter(l -> l.contains("client-dp") || l.contains("--min-clients")).count())
                .as("one line: %s", r.err()).isEqualTo(1);
    }
}
