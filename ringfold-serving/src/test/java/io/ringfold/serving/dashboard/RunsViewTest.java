package io.ringfold.serving.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.runs.FileRunStore;
import io.ringfold.runs.RunRecord;
import io.ringfold.train.EpochMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** One malformed run record is listed as unreadable with its reason; it never takes the other runs with it. */
class RunsViewTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path repo;

    private void saveRun(String id, String startedAt, Path dir) throws Exception {
        ObjectNode summary = JSON.createObjectNode().put("test_accuracy", 0.75);
        EpochMetrics epoch = new EpochMetrics(1, 0.5, 0.75, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                0.1f, 1.0, 100.0);
        new FileRunStore(repo).save(new RunRecord(id, startedAt, 2.0, List.of("train"), summary, List.of(epoch), dir));
    }

    @Test
    void malformedRecordsAreListedAsUnreadableAndTheOthersAsRuns() throws Exception {
        saveRun("20260101T000000Z-aaaa", "2026-01-01T00:00:00Z", repo.resolve("m/1"));
        saveRun("20260102T000000Z-bbbb", "2026-01-02T00:00:00Z", repo.resolve("n/1"));
        Files.createDirectories(repo.resolve("m/2"));
        Files.writeString(repo.resolve("m/2/run.json"), "{\"id\": \"x\", ");
        Files.createDirectories(repo.resolve("m/3"));
        Files.writeString(repo.resolve("m/3/run.json"), "{\"id\": 5, \"started_at\": \"2026-01-03T00:00:00Z\","
                + " \"duration_seconds\": 1, \"arguments\": [], \"summary\": {}}");
        Files.createDirectories(repo.resolve("m/4"));
        Files.writeString(repo.resolve("m/4/run.json"), "{}" + " ".repeat((int) RunsView.MAX_RUN_BYTES));
        Files.createDirectories(repo.resolve("m/5/run.json"));
        Files.createDirectories(repo.resolve("m/6"));
        Files.createSymbolicLink(repo.resolve("m/6/run.json"), Path.of("/dev/zero"));
        Files.createDirectories(repo.resolve("m/7"));
        Files.writeString(repo.resolve("m/7/run.json"), "{\"id\": \"y\", \"started_at\": \"2026-01-03T00:00:00Z\","
                + " \"duration_seconds\": 1, \"arguments\": [\"train\", 3], \"summary\": {}}");

        RunsView view = new RunsView(repo);
        JsonNode list = view.list();
        assertThat(list.get("runs").findValuesAsText("id")).containsExactly("20260102T000000Z-bbbb", "20260101T000000Z-aaaa");
        List<String> unreadable = new ArrayList<>();
        for (JsonNode u : list.get("unreadable")) {
            unreadable.add(u.get("location").asText() + " | " + u.get("model").asText() + " " + u.get("version").asText()
                    + " | " + u.get("error").asText());
        }
        Path m = repo.toAbsolutePath().normalize().resolve("m");
        assertThat(unreadable).hasSize(6);
        assertThat(unreadable.get(0)).startsWith("m/2 | m 2 | " + m.resolve("2/run.json") + ": not a run record (");
        assertThat(unreadable.subList(1, 6)).containsExactly(
                "m/3 | m 3 | " + m.resolve("3/run.json") + ": id is number (expected: a non-empty string)",
                "m/4 | m 4 | " + m.resolve("4/run.json") + ": " + (RunsView.MAX_RUN_BYTES + 2) + " bytes (expected: at most "
                        + RunsView.MAX_RUN_BYTES + ")",
                "m/5 | m 5 | " + m.resolve("5/run.json") + ": a directory (expected: a regular file)",
                "m/6 | m 6 | " + m.resolve("6/run.json") + ": a symbolic link (expected: a regular file)",
                "m/7 | m 7 | " + m.resolve("7/run.json") + ": arguments is array (expected: an array of strings)");

        assertThat(view.run("20260101T000000Z-aaaa")).hasValueSatisfying(r ->
                assertThat(r.get("epochs").findValuesAsText("epoch")).containsExactly("1"));
        assertThat(view.run("x")).isEmpty();
    }

    @Test
    void aMalformedEpochsFileMakesItsRunUnreadable() throws Exception {
        saveRun("20260101T000000Z-aaaa", "2026-01-01T00:00:00Z", repo.resolve("m/1"));
        saveRun("20260102T000000Z-bbbb", "2026-01-02T00:00:00Z", repo.resolve("m/2"));
        Files.writeString(repo.resolve("m/2/epochs.jsonl"), "{\"epoch\": 1}\n[[[\n");

        JsonNode list = new RunsView(repo).list();
        assertThat(list.get("runs").findValuesAsText("id")).containsExactly("20260101T000000Z-aaaa");
        assertThat(list.get("unreadable").findValuesAsText("location")).containsExactly("m/2");
    }
}
