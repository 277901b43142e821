package io.ringfold.federated;

import io.ringfold.data.DataSpec;
import io.ringfold.data.Dataset;
import io.ringfold.data.Preprocessor;
import io.ringfold.federated.wire.FederatedException;
import io.ringfold.federated.wire.Message;
import io.ringfold.federated.wire.MessageChannel;
import io.ringfold.federated.wire.MessageType;
import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/** The standardisation round over real sockets: what it fits, where it goes, and what it refuses. */
class StandardisationTest {

    @TempDir
    Path dir;

    /**
     * Ten clients with two labels each: the model's preprocessing is the single-process standardisation of the pooled
     * digits, saved in the checkpoint directory, and the saved model takes raw rows as a trained one does.
     */
    @Test
    void modelCarriesThePooledStandardisationAndTakesRawRows() throws Exception {
        Dataset pooled = new DataSpec.Digits().load().train();
        List<Dataset> parts = FederatedHarness.digitsParts();
        try (FederatedHarness h = new FederatedHarness()) {
            Future<Coordinator.Result> c = h.coordinator(FederatedHarness.options(dir, 2, 5, 5, 10, false, false, true),
                    null);
            for (int i = 0; i < parts.size(); i++) {
                h.client("site-" + i, parts.get(i), null);
            }
            Coordinator.Result r = h.await(c);
            Preprocessor p = r.model().preprocessor();
            Preprocessor single = Preprocessor.fit(pooled, true);
            assertThat(p.shift()).isEqualTo(single.shift());
            assertThat(p.scale()).isEqualTo(single.scale());
            assertThat(FederatedStandardisation.load(dir).orElseThrow().preprocessor()).isEqualTo(p);
            assertThat(r.model().provenance().dataSource()).contains("standardised by the totals of " + pooled.size()
                    + " rows");
            assertThat(h.log).anyMatch(l -> l.startsWith("coordinator: statistics round: totals of " + pooled.size()
                    + " rows from 10 clients"));
            for (int i = 0; i < parts.size(); i++) {
                String id = "site-" + i;
                assertThat(h.log).as(id).anyMatch(l -> l.startsWith(id + ": statistics round: sum and sum of squares "
                        + "of 64 features over "));
            }

            Path saved = ModelCodec.save(r.model(), dir.resolve("model"),
                    com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode());
            Model loaded = ModelCodec.load(saved);
            assertThat(loaded.preprocessor()).isEqualTo(p);
            Blas blas = Blas.get();
            float[] raw = ((FloatMatrix) pooled.features()).data();
            float[][] rows = new float[5][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = java.util.Arrays.copyOfRange(raw, i * 64, (i + 1) * 64);
            }
            FloatMatrix fromRaw = loaded.predictRaw(blas, rows);
            Dataset standardised = single.apply(pooled.subset(new int[] {0, 1, 2, 3, 4}));
            assertThat(fromRaw.data()).isEqualTo(loaded.predictPreprocessed(blas, standardised.features()).data());
        }
    }

    /** Under secure aggregation the coordinator sees only the totals, and they are the same: the same parameters. */
    @Test
    void secureStatisticsGiveThePlainStandardisationAndParameters() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts();
        Coordinator.Result plain = FederatedHarness.runAll(parts, FederatedHarness.options(dir.resolve("plain"), 2, 5, 5, 10, false,
                false, true), null);
        List<String> log = new java.util.ArrayList<>();
        Coordinator.Result secure = FederatedHarness.runAll(parts, FederatedHarness.options(dir.resolve("secure"), 2, 5, 5, 10, false,
                true, true), log);
        assertThat(secure.model().preprocessor()).isEqualTo(plain.model().preprocessor());
        assertThat(secure.model().parameterDigest()).isEqualTo(plain.model().parameterDigest());
        assertThat(log).anyMatch(l -> l.contains("statistics round: asking ") && l.contains("under secure aggregation"))
                .anyMatch(l -> l.startsWith("site-0: statistics round: ") && l.contains(" sent masked"));
    }

    /** A coordinator resumed after two rounds reads the standardisation: no client is asked again, same parameters. */
    @Test
    void resumeReadsTheStandardisationAndAsksNoClient() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts().subList(0, 4);
        String whole = FederatedHarness.runAll(parts, FederatedHarness.options(dir.resolve("whole"), 4, 3, 3, 4, false, false, true),
                null).model().parameterDigest();
        FederatedHarness.runAll(parts, FederatedHarness.options(dir.resolve("cut"), 2, 3, 3, 4, false, false, true), null);
        List<String> log = new java.util.ArrayList<>();
        Coordinator.Result resumed = FederatedHarness.runAll(parts, FederatedHarness.options(dir.resolve("cut"), 4, 3, 3, 4, true, false,
                true), log);
        assertThat(resumed.model().parameterDigest()).isEqualTo(whole);
        assertThat(log).anyMatch(l -> l.startsWith("coordinator: standardisation of ") && l.contains("not asked again"))
                .noneMatch(l -> l.contains("statistics round"));
    }

    /**
     * Statistics of the wrong length, not normalised (what a non-finite sum would have to look like), or of another
     * row count than declared: each client excluded with its reason, and the standardisation and the run go on with
     * the others.
     */
    @Test
    void badStatisticsAreExcludedWithTheirReasons() throws Exception {
        List<Dataset> parts = FederatedHarness.digitsParts();
        try (FederatedHarness h = new FederatedHarness()) {
            CoordinatorOptions o = FederatedHarness.options(dir, 1, 5, 2, 5, false, false, true);
            o = new CoordinatorOptions(o.config(), o.classes(), 1, 5, 2, 5, 1, o.aggregation(), 0f, o.roundTimeout(),
                    Duration.ofSeconds(3), dir, false, null, false);
            Future<Coordinator.Result> c = h.coordinator(o, null);
            h.client("site-0", parts.get(0), null);
            h.client("site-1", parts.get(1), null);
            List<Future<?>> rogues = List.of(
                    h.threads.submit(() -> badStatistics(h, "site-short", parts.get(2), "short")),
                    h.threads.submit(() -> badStatistics(h, "site-limb", parts.get(3), "limb")),
                    h.threads.submit(() -> badStatistics(h, "site-rows", parts.get(4), "rows")));
            Coordinator.Result r = h.await(c);
            for (Future<?> f : rogues) {
                h.await(f);
            }
            assertThat(h.log).anyMatch(l -> l.startsWith("coordinator: statistics round: client site-short excluded: "
                    + "statistics of 10 values (expected: " + ExactMoments.length(64)))
                    .anyMatch(l -> l.startsWith("coordinator: statistics round: client site-limb excluded: statistics "
                            + "limb -5 of feature 0"))
                    .anyMatch(l -> l.startsWith("coordinator: statistics round: client site-rows excluded: statistics "
                            + "of " + (parts.get(4).size() - 1) + " rows (expected: " + parts.get(4).size()
                            + ", the rows it declared)"))
                    .anyMatch(l -> l.startsWith("coordinator: statistics round: totals of " + (parts.get(0).size()
                            + parts.get(1).size()) + " rows from 2 clients [site-0, site-1]"));
            assertThat(r.rounds().get(0).aggregated()).containsExactlyInAnyOrder("site-0", "site-1");
        }
    }

    /** A TASK's standardisation must standardise exactly the client's columns; none means raw rows. */
    @Test
    void taskStandardisationIsCheckedAgainstTheClientsColumns() {
        List<String> columns = List.of("a", "b");
        Preprocessor p = Preprocessor.standardisation(columns, new double[] {1, 2}, new double[] {4, 0});
        var task = Message.newHeader();
        assertThat(FederatedStandardisation.fromTask(task, columns)).isNull();
        new FederatedStandardisation(p, 10, List.of("site-0")).addTo(task);
        assertThat(FederatedStandardisation.fromTask(task, columns)).isEqualTo(p);
        assertThat(p.scale()).containsExactly(2f, 1f);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FederatedStandardisation.fromTask(task,
                        List.of("a", "c"))).isInstanceOf(FederatedException.class)
                .hasMessageContaining("(expected: a standardisation of this client's 2 numeric columns, none dropped)");
    }

    /** --resume after standardised rounds needs the standardisation they trained with; it is not fitted anew. */
    @Test
    void resumeWithoutTheStandardisationFileIsRefused() {
        CoordinatorOptions o = FederatedHarness.options(dir, 4, 3, 3, 4, true, false, true);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FederatedStandardisation.resumed(o, true))
                .hasMessageContaining("--resume: no " + FederatedStandardisation.FILE_NAME + " in " + dir);
    }

    /**
     * A client that answers the statistics request with 10 values ({@code short}), its true limbs but one made
     * negative ({@code limb}), or those of its rows but the last ({@code rows}).
     */
    private static Void badStatistics(FederatedHarness h, String id, Dataset data, String kind) throws Exception {
        try (MessageChannel ch = CoordinatorTest.rogue(h, id, data)) {
            Message request = ch.receive(System.nanoTime() + 30_000_000_000L, "STATISTICS", 0);
            assertThat(request.type()).isEqualTo(MessageType.STATISTICS);
            long[] v = switch (kind) {
                case "short" -> new long[10];
                case "rows" -> ExactMoments.of(data.subset(java.util.stream.IntStream.range(0, data.size() - 1)
                        .toArray()).features());
                default -> ExactMoments.of(data.features());
            };
            if (kind.equals("limb")) {
                v[0] = -5;
            }
            ch.send(Message.withLongs(MessageType.STATISTICS, Message.newHeader(), v));
            try {
                ch.receive(System.nanoTime() + 30_000_000_000L, "the coordinator closing", 1 << 20);
            } catch (FederatedException e) {
                // Dropped: expected.
            }
        }
        return null;
    }
}
