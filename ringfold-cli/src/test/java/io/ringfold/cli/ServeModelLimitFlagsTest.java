package io.ringfold.cli;

import io.ringfold.io.ModelLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code serve}'s model-loading limits: each flag reaches the server's config; a bad value names its flag. */
class ServeModelLimitFlagsTest {

    @TempDir
    Path tmp;

    @Test
    void flagsReachTheServerConfigAndTheRestKeepTheirDefaults() {
        ServeCommand plain = new ServeCommand();
        new CommandLine(plain).parseArgs("--repository", tmp.toString());
        assertThat(plain.config().modelLimits()).isEqualTo(ModelLimits.defaults());

        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs("--repository", tmp.toString(), "--max-model-bytes", "1000",
                "--max-model-header-bytes", "200", "--max-model-tensors", "4", "--max-model-columns", "30",
                "--max-model-classes", "5");
        assertThat(cmd.config().modelLimits()).isEqualTo(new ModelLimits(1000, 200, 4, 30, 5, true));

        ServeCommand one = new ServeCommand();
        new CommandLine(one).parseArgs("--repository", tmp.toString(), "--max-model-classes", "3");
        assertThat(one.config().modelLimits()).isEqualTo(ModelLimits.defaults().withMaxClasses(3));
    }

    @Test
    void badLimitsAreRefusedByName() {
        CliRunner zero = CliRunner.run("serve", "--repository", tmp.toString(), "--max-model-bytes", "0");
        assertThat(zero.status()).isEqualTo(2);
        assertThat(zero.err()).contains("--max-model-bytes: 0 (expected: >= 1)");
        CliRunner negative = CliRunner.run("serve", "--repository", tmp.toString(), "--max-model-classes", "-1");
        assertThat(negative.status()).isEqualTo(2);
        assertThat(negative.err()).contains("--max-model-classes: -1 (expected: >= 1)");
        CliRunner header = CliRunner.run("serve", "--repository", tmp.toString(), "--max-model-header-bytes", "67108865");
        assertThat(header.status()).isEqualTo(2);
        assertThat(header.err()).contains("maxHeaderBytes: 67108865 (expected: at most 67108864, the format's limit)");
    }
}
