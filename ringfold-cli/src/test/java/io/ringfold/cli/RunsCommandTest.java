package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.runs.FileRunStore;
import io.ringfold.runs.RunRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every training run leaves run.json and epochs.jsonl next to its model; `runs` lists and shows them. */
class RunsCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void trainingRunsAreRecordedListedAndShown() throws Exception {
        CliRunner a = CliRunner.run("train", "--data", "digits", "--model", "softmax", "--solver", "adam", "--epochs", "3",
                "--json",
                "--out", tmp.resolve("models/a/1").toString());
        CliRunner b = CliRunner.run("train", "--data", "digits", "--hidden", "16", "--epochs", "2", "--workers", "2",
                "--json", "--out", tmp.resolve("models/b/1").toString());
        assertThat(a.status()).as(a.err()).isZero();
        assertThat(b.status()).as(b.err()).isZero();
        String idA = JSON.readTree(a.lastLine()).get("run_id").asText();
        String idB = JSON.readTree(b.lastLine()).get("run_id").asText();

        RunRecord ra = FileRunStore.read(tmp.resolve("models/a/1"));
        assertThat(ra.id()).isEqualTo(idA);
        assertThat(ra.epochs()).hasSize(3);
        assertThat(ra.arguments()).contains("--model", "softmax");
        assertThat(ra.summary().get("test_accuracy").asDouble()).isEqualTo(JSON.readTree(a.lastLine()).get("test_accuracy").asDouble());
        RunRecord rb = FileRunStore.read(tmp.resolve("models/b/1"));
        assertThat(rb.summary().get("telemetry")).hasSize(2);

        CliRunner list = CliRunner.run("runs", "--root", tmp.toString());
        assertThat(list.status()).isZero();
        assertThat(list.out()).contains(idA).contains(idB);
        List<RunRecord> all = new FileRunStore(tmp).list();
        assertThat(all).extracting(RunRecord::id).containsExactlyInAnyOrder(idA, idB);

        CliRunner show = CliRunner.run("runs", "--root", tmp.toString(), "show", idB);
        assertThat(show.status()).as(show.err()).isZero();
        assertThat(show.out()).contains("run " + idB).contains("epoch 2/2").contains("\"workers\" : 2");

        CliRunner ambiguous = CliRunner.run("runs", "--root", tmp.toString(), "show", "2");
        assertThat(ambiguous.status()).isEqualTo(1);
        assertThat(ambiguous.err()).contains("2 runs match");
    }

    @Test
    void aMalformedRecordIsNamed() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("m/1"));
        Files.writeString(dir.resolve("run.json"), "{ not json");
        assertThatThrownBy(() -> new FileRunStore(tmp).list()).hasMessageContaining(dir.resolve("run.json") + ": not a run record");
        CliRunner none = CliRunner.run("runs", "--root", tmp.resolve("empty").toString());
        assertThat(none.out()).contains("no runs under");
    }
}
