package io.ringfold.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code quickstart --no-serve}: each run adds the next version of models/digits, with no staging left. */
class QuickstartCommandTest {

    @TempDir
    Path tmp;

    @Test
    void eachRunAddsTheNextVersion() throws Exception {
        Path models = tmp.resolve("models");
        for (int run = 1; run <= 2; run++) {
            CliRunner r = CliRunner.run("quickstart", "--no-serve", "--models", models.toString(), "--epochs", "2",
                    "--workers", "2");
            assertThat(r.status()).as(r.err()).isZero();
            assertThat(r.out()).contains("with 2 workers").contains("model version " + run)
                    .contains("the dashboard is then at http://localhost:8080/ui/");
            assertThat(models.resolve("digits").resolve(Integer.toString(run)).resolve("model.rfm")).exists();
        }
        try (Stream<Path> s = Files.list(models.resolve("digits"))) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("1", "2");
        }
        CliRunner inspect = CliRunner.run("inspect", models.resolve("digits").resolve("2").toString());
        assertThat(inspect.out()).contains("64 -> dense(64) -> relu -> dense(10) softmax");
        // The run record names the version's directory, not the staging directory the model was built in.
        io.ringfold.runs.RunRecord record = io.ringfold.runs.FileRunStore.read(models.resolve("digits").resolve("2"));
        assertThat(record.arguments()).contains(models.resolve("digits").resolve("2").toString())
                .noneMatch(a -> a.contains(".staging"));
        assertThat(record.summary().path("model_path").asText())
                .isEqualTo(models.resolve("digits").resolve("2").resolve("model.rfm").toString());
    }

    @Test
    void aFailedTrainingLeavesNoVersion() {
        Path models = tmp.resolve("models");
        CliRunner r = CliRunner.run("quickstart", "--no-serve", "--models", models.toString(), "--workers", "9");
        assertThat(r.status()).isEqualTo(2);
        assertThat(r.err()).contains("--workers: 9");
        assertThat(models.resolve("digits").resolve("1")).doesNotExist();
    }
}
