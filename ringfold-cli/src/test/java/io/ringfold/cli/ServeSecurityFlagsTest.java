package io.ringfold.cli;

import io.ringfold.serving.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code serve}'s token, TLS and access-log flags: bad files are usage errors (status 2) naming the file. */
class ServeSecurityFlagsTest {

    @TempDir
    Path tmp;

    @Test
    void flagsReachTheServerConfig() throws Exception {
        Path token = Files.writeString(tmp.resolve("token"), "abc\n");
        ServeCommand cmd = new ServeCommand();
        new CommandLine(cmd).parseArgs("--repository", tmp.toString(), "--auth-token-file", token.toString(), "--access-log");
        ServerConfig c = cmd.config();
        assertThat(c.authTokenFile()).isEqualTo(token);
        assertThat(c.accessLog()).isTrue();
        assertThat(c.tlsCertFile()).isNull();

        ServeCommand plain = new ServeCommand();
        new CommandLine(plain).parseArgs("--repository", tmp.toString());
        assertThat(plain.config().accessLog()).as("access log is off by default").isFalse();
        assertThat(plain.config().authTokenFile()).isNull();
    }

    @Test
    void badTokenAndTlsFilesAreRefusedByName() throws Exception {
        Path empty = Files.writeString(tmp.resolve("empty"), "\n");
        CliRunner token = CliRunner.run("serve", "--repository", tmp.toString(), "--auth-token-file", empty.toString());
        assertThat(token.status()).isEqualTo(2);
        assertThat(token.err()).contains("auth token file " + empty + ": empty (expected: a bearer token)");

        Path missing = tmp.resolve("missing");
        CliRunner unreadable = CliRunner.run("serve", "--repository", tmp.toString(), "--auth-token-file", missing.toString());
        assertThat(unreadable.status()).isEqualTo(2);
        assertThat(unreadable.err()).contains("auth token file " + missing + ": cannot be read");

        CliRunner half = CliRunner.run("serve", "--repository", tmp.toString(), "--tls-cert", missing.toString());
        assertThat(half.status()).isEqualTo(2);
        assertThat(half.err()).contains("--tls-cert: given without --tls-key (expected: both or neither)");

        Path junk = Files.writeString(tmp.resolve("junk.pem"), "not pem\n");
        CliRunner bad = CliRunner.run("serve", "--repository", tmp.toString(), "--tls-cert", junk.toString(),
                "--tls-key", junk.toString());
        assertThat(bad.status()).isEqualTo(2);
        assertThat(bad.err()).contains("TLS certificate file " + junk + ": not a PEM certificate chain");
    }
}
