package io.ringfold.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A training process killed with SIGKILL after writing a checkpoint, then resumed, ends with the
 * same parameter digest as an uninterrupted run; no partial model is left where the model goes. As
 * training is deterministic, the digest would match had {@code --resume} been ignored: the resumed run
 * must also say it resumed at the checkpoint's epoch and step, and train only the epochs from there.
 */
class KillAndResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private List<String> args(Path out, Path ckpt, boolean resume) {
        List<String> a = new ArrayList<>(List.of("train", "--data", "digits", "--hidden", "32", "--epochs", "40",
                "--batch-size", "32", "--seed", "5", "--workers", "2", "--json", "--out", out.toString()));
        if (ckpt != null) {
            a.addAll(List.of("--checkpoint-dir", ckpt.toString(), "--checkpoint-every-steps", "25"));
        }
        if (resume) {
            a.add("--resume");
        }
        return a;
    }

    @Test
    void killedProcessResumesToTheUninterruptedDigest() throws Exception {
        CliRunner whole = CliRunner.run(args(tmp.resolve("whole"), null, false).toArray(String[]::new));
        assertThat(whole.status()).as(whole.err()).isZero();
        String expected = JSON.readTree(whole.lastLine()).get("parameter_digest").asText();

        Path ckpt = tmp.resolve("ckpt");
        Path out = tmp.resolve("resumed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                RingfoldCommand.class.getName()));
        cmd.addAll(args(out, ckpt, false));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(ckpt.resolve("checkpoint.rfm")) && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(ckpt.resolve("checkpoint.rfm")).as("the first checkpoint, within 60 s").exists();
            assertThat(p.isAlive()).as("still training when the first checkpoint appeared").isTrue();
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } finally {
            p.destroyForcibly();
        }
        assertThat(out.resolve("model.rfm")).doesNotExist();
        // Where the checkpoint stands: epochs done, and steps done in the next one.
        JsonNode at = ModelFile.read(ckpt.resolve("checkpoint.rfm")).header();
        int epochsDone = at.path("epoch").asInt();
        int step = at.path("step").asInt();

        CliRunner resumed = CliRunner.run(args(out, ckpt, true).toArray(String[]::new));
        assertThat(resumed.status()).as(resumed.err()).isZero();
        assertThat(JSON.readTree(resumed.lastLine()).get("parameter_digest").asText()).isEqualTo(expected);
        Matcher line = Pattern.compile("(?m)^resumed from checkpoint " + Pattern.quote(ckpt.resolve("checkpoint.rfm")
                .toString()) + " at epoch " + (epochsDone + 1) + "/40, step " + step + "/(\\d+)$").matcher(resumed.out());
        assertThat(line.find()).as("the resume line, at epoch %d step %d, in:%n%s", epochsDone + 1, step, resumed.out())
                .isTrue();
        int steps = Integer.parseInt(line.group(1));
        assertThat((epochsDone * steps + step) % 25).as("a checkpoint step (every 25 global steps)").isZero();
        List<Integer> epochs = new ArrayList<>();
        Matcher epoch = Pattern.compile("(?m)^epoch (\\d+)/40 ").matcher(resumed.out());
        while (epoch.find()) {
            epochs.add(Integer.parseInt(epoch.group(1)));
        }
        assertThat(epochs).as("the epochs the resumed run trained")
                .containsExactlyElementsOf(IntStream.rangeClosed(epochsDone + 1, 40).boxed().toList());
    }
}
