package io.ringfold.federated;

import io.ringfold.data.Dataset;
import io.ringfold.federated.wire.FederatedException;
import io.ringfold.federated.wire.Message;
import io.ringfold.federated.wire.MessageChannel;
import io.ringfold.federated.wire.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

class CoordinatorTest {

    @TempDir
    Path dir;

    /** Ten clients with two labels each, over sockets: the same parameters whatever order they connect in. */
    @Test
    void sameParametersWhateverOrderClientsJoinIn() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts();
        System.out.println("split seed " + FederatedHarness.SPLIT_SEED);
        String forward = run(parts, false, false, dir.resolve("a"));
        String backward = run(parts, true, false, dir.resolve("b"));
        assertThat(backward).isEqualTo(forward);
    }

    /** Secure aggregation's masked sum is the plain sum: the same parameters, bit for bit. */
    @Test
    void secureAggregationGivesThePlainParameters() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts();
        assertThat(run(parts, false, true, dir.resolve("secure"))).isEqualTo(run(parts, false, false, dir.resolve("plain")));
    }

    /** Under secure aggregation a client that vanishes after its task is excluded and the others' sum goes on. */
    @Test
    void secureRoundGoesOnWithoutADroppedClient() throws Exception {
        try (FederatedHarness h = new FederatedHarness()) {
            Coordinator.Result r = oneClientDiesAfterItsTask(h, true);
            assertThat(r.rounds().get(0).aggregated()).containsExactlyInAnyOrder("site-0", "site-1", "site-2");
            assertThat(r.rounds().get(0).excluded().get("site-dies")).contains("connection closed by client site-dies");
        }
    }

    /** One round of four sampled clients, at least three to report: three train, "site-dies" closes after its task. */
    private Coordinator.Result oneClientDiesAfterItsTask(FederatedHarness h, boolean secure) throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts();
        Future<Coordinator.Result> c = h.coordinator(FederatedHarness.options(dir, 1, 4, 3, 4, false, secure), null);
        for (int i = 0; i < 3; i++) {
            h.client("site-" + i, parts.get(i), null);
        }
        Future<?> dying = h.threads.submit(() -> {
            try (MessageChannel ch = rogue(h, "site-dies", parts.get(3))) {
                ch.receive(System.nanoTime() + 30_000_000_000L, "TASK", 1 << 20);
            }
            return null;
        });
        Coordinator.Result r = h.await(c);
        h.await(dying);
        return r;
    }

    private String run(List<Dataset> parts, boolean reversed, boolean secure, Path checkpoints) throws Exception {
        try (FederatedHarness h = new FederatedHarness()) {
            Future<Coordinator.Result> c = h.coordinator(FederatedHarness.options(checkpoints, 3, 5, 5, 10, false, secure),
                    null);
            List<Future<Integer>> clients = new ArrayList<>();
            for (int i = 0; i < parts.size(); i++) {
                int k = reversed ? parts.size() - 1 - i : i;
                clients.add(h.client("site-" + k, parts.get(k), null));
            }
            Coordinator.Result r = h.await(c);
            int trained = 0;
            for (Future<Integer> f : clients) {
                trained += h.await(f);
            }
            assertThat(trained).isEqualTo(15);
            assertThat(r.rounds()).hasSize(3).allSatisfy(rr -> assertThat(rr.aggregated()).hasSize(5));
            return r.model().parameterDigest();
        }
    }

    /** A client that closes its connection mid-round is excluded with the reason; the others' round goes on. */
    @Test
    void clientKilledMidRoundIsExcluded() throws Exception {
        try (FederatedHarness h = new FederatedHarness()) {
            Coordinator.Result r = oneClientDiesAfterItsTask(h, false);
            assertThat(r.rounds().get(0).aggregated()).containsExactlyInAnyOrder("site-0", "site-1", "site-2");
            assertThat(r.rounds().get(0).excluded()).containsOnlyKeys("site-dies");
            assertThat(r.rounds().get(0).excluded().get("site-dies")).contains("connection closed by client site-dies");
            assertThat(h.log).anyMatch(l -> l.contains("client site-dies excluded: connection closed"));
        }
    }

    /** A NaN update, one of the wrong length and a malformed message: each excluded with its reason. */
    @Test
    void garbageUpdatesAreExcludedWithTheirReasons() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts();
        try (FederatedHarness h = new FederatedHarness()) {
            Future<Coordinator.Result> c = h.coordinator(FederatedHarness.options(dir, 1, 5, 2, 5, false), null);
            h.client("site-0", parts.get(0), null);
            h.client("site-1", parts.get(1), null);
            List<Future<?>> rogues = new ArrayList<>();
            rogues.add(h.threads.submit(() -> garbage(h, "site-nan", parts.get(2), "nan")));
            rogues.add(h.threads.submit(() -> garbage(h, "site-short", parts.get(3), "short")));
            rogues.add(h.threads.submit(() -> garbage(h, "site-bytes", parts.get(4), "bytes")));
            Coordinator.Result r = h.await(c);
            for (Future<?> f : rogues) {
                h.await(f);
            }
            RoundRecord round = r.rounds().get(0);
            assertThat(round.aggregated()).containsExactlyInAnyOrder("site-0", "site-1");
            assertThat(round.excluded().get("site-nan")).contains("delta NaN at parameter 0");
            assertThat(round.excluded().get("site-short")).contains("update of 40 bytes (expected: ");
            assertThat(round.excluded().get("site-bytes")).contains("malformed message from client site-bytes")
                    .contains("message type 200");
        }
    }

    /** A client that never answers is excluded when the round's deadline passes, naming the round. */
    @Test
    void silentClientTimesOut() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts();
        try (FederatedHarness h = new FederatedHarness()) {
            CoordinatorOptions o = FederatedHarness.options(dir, 1, 2, 1, 2, false);
            o = new CoordinatorOptions(o.config(), o.classes(), 1, 2, 1, 2, 1, o.aggregation(), 0f,
                    java.time.Duration.ofSeconds(2), o.joinTimeout(), dir, false, null, false);
            Future<Coordinator.Result> c = h.coordinator(o, null);
            h.client("site-0", parts.get(0), null);
            Future<?> silent = h.threads.submit(() -> {
                try (MessageChannel ch = rogue(h, "site-silent", parts.get(1))) {
                    ch.receive(System.nanoTime() + 30_000_000_000L, "TASK", 1 << 20);
                    Thread.sleep(30_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (RuntimeException e) {
                    // Dropped by the coordinator: what the test expects.
                }
                return null;
            });
            Coordinator.Result r = h.await(c);
            assertThat(r.rounds().get(0).excluded().get("site-silent")).contains("no UPDATE of round 1 from client "
                    + "site-silent").contains("within the deadline");
            silent.cancel(true);
        }
    }

    /** A wrong token is refused before anything else, and the client is told so. */
    @Test
    void wrongTokenIsRefused() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts();
        try (FederatedHarness h = new FederatedHarness()) {
            Future<Coordinator.Result> c = h.coordinator(FederatedHarness.options(dir, 1, 1, 1, 1, false), "s3cret");
            Future<Integer> bad = h.client("site-bad", parts.get(0), "guess");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> h.await(bad)))
                    .hasRootCauseInstanceOf(FederatedException.class)
                    .rootCause().hasMessageContaining("refused client site-bad: auth token: wrong or missing")
                    .hasMessageNotContaining("s3cret");
            h.client("site-good", parts.get(1), "s3cret");
            assertThat(h.await(c).rounds().get(0).aggregated()).containsExactly("site-good");
            assertThat(h.log).noneMatch(l -> l.contains("s3cret") || l.contains("guess"));
        }
    }

    /** Two rounds, then a coordinator resumed from the checkpoint for two more: the four-round parameters. */
    @Test
    void resumedCoordinatorEndsWithTheUninterruptedParameters() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts().subList(0, 4);
        String uninterrupted = runClients(parts, FederatedHarness.options(dir.resolve("full"), 4, 3, 3, 4, false));
        runClients(parts, FederatedHarness.options(dir.resolve("cut"), 2, 3, 3, 4, false));
        String resumed = runClients(parts, FederatedHarness.options(dir.resolve("cut"), 4, 3, 3, 4, true));
        assertThat(resumed).isEqualTo(uninterrupted);
    }

    private static String runClients(List<Dataset> parts, CoordinatorOptions o) throws Exception {
        return FederatedHarness.runAll(parts, o, null).model().parameterDigest();
    }

    /** A connection that says HELLO as a client would, then lets the test misbehave. */
    static MessageChannel rogue(FederatedHarness h, String id, Dataset data) throws Exception {
        MessageChannel ch = new MessageChannel(new Socket("127.0.0.1", h.port()), "coordinator");
        var hello = Message.newHeader();
        hello.put("client_id", id);
        hello.set("data", DataDescription.of(data).toJson());
        ch.send(Message.of(MessageType.HELLO, hello));
        assertThat(ch.receive(System.nanoTime() + 30_000_000_000L, "WELCOME", 0).type()).isEqualTo(MessageType.WELCOME);
        return ch;
    }

    private static Void garbage(FederatedHarness h, String id, Dataset data, String kind) throws Exception {
        try (MessageChannel ch = rogue(h, id, data)) {
            Message task = ch.receive(System.nanoTime() + 30_000_000_000L, "TASK", 1 << 20);
            var header = Message.newHeader();
            header.put("round", task.header().path("round").asInt());
            header.put("examples", data.size());
            float[] delta = new float[task.body().length / 4];
            switch (kind) {
                case "nan" -> {
                    delta[0] = Float.NaN;
                    ch.send(Message.withFloats(MessageType.UPDATE, header, delta));
                }
                case "short" -> ch.send(Message.withFloats(MessageType.UPDATE, header, new float[10]));
                default -> {
                    // A type byte no message has, then noise: the coordinator must stop at the type.
                    Socket raw = rawSocket(ch);
                    raw.getOutputStream().write(new byte[] {(byte) 200, 0x7f, -1, -1, -1});
                    raw.getOutputStream().flush();
                }
            }
            try {
                ch.receive(System.nanoTime() + 30_000_000_000L, "the coordinator closing", 1 << 20);
            } catch (FederatedException e) {
                // Dropped: expected.
            }
        }
        return null;
    }

    private static Socket rawSocket(MessageChannel ch) throws Exception {
        var f = MessageChannel.class.getDeclaredField("socket");
        f.setAccessible(true);
        return (Socket) f.get(ch);
    }
}
