package io.ringfold.serving.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.ringfold.serving.security.BearerToken.Decision.ALLOWED;
import static io.ringfold.serving.security.BearerToken.Decision.INVALID_TOKEN;
import static io.ringfold.serving.security.BearerToken.Decision.MALFORMED;
import static io.ringfold.serving.security.BearerToken.Decision.MISSING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BearerTokenTest {

    @TempDir
    Path dir;

    @Test
    void fileIsTrimmedAndOnlyTheExactTokenIsAllowed() throws Exception {
        BearerToken t = BearerToken.read(Files.writeString(dir.resolve("token"), "  s3cr3t-Token_1.~+/==\n\n"));
        assertThat(t.check(List.of("Bearer s3cr3t-Token_1.~+/=="))).isEqualTo(ALLOWED);
        assertThat(t.check(List.of("bearer   s3cr3t-Token_1.~+/==  "))).as("scheme is case-insensitive").isEqualTo(ALLOWED);
        assertThat(t.check(List.of("Bearer s3cr3t-Token_1.~+/="))).isEqualTo(INVALID_TOKEN);
        assertThat(t.check(List.of("Bearer s3cr3t-Token_1.~+/===="))).isEqualTo(INVALID_TOKEN);
        assertThat(t.check(List.of("Bearer S3cr3t-Token_1.~+/=="))).isEqualTo(INVALID_TOKEN);
        assertThat(t.check(List.of())).isEqualTo(MISSING);
        assertThat(t.check(List.of("Basic dXNlcjpwYXNz"))).isEqualTo(MISSING);
        assertThat(t.check(List.of("Bearers s3cr3t-Token_1.~+/=="))).isEqualTo(MISSING);
        assertThat(t.check(List.of("Bearer"))).isEqualTo(MALFORMED);
        assertThat(t.check(List.of("Bearer a b"))).isEqualTo(MALFORMED);
        assertThat(t.check(List.of("Bearer =abc"))).isEqualTo(MALFORMED);
        assertThat(t.check(List.of("Bearer s3cr3t-Token_1.~+/==", "Bearer s3cr3t-Token_1.~+/=="))).isEqualTo(MALFORMED);
        assertThat(t.toString()).doesNotContain("s3cr3t");
    }

    @Test
    void badFilesAreNamedAndTheTokenIsNeverQuoted() throws Exception {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> BearerToken.read(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("auth token file " + missing + ": cannot be read");
        assertThatThrownBy(() -> BearerToken.read(dir)).hasMessageStartingWith("auth token file " + dir + ": cannot be read");
        Path blank = Files.writeString(dir.resolve("blank"), " \n\t\n");
        assertThatThrownBy(() -> BearerToken.read(blank))
                .hasMessage("auth token file " + blank + ": empty (expected: a bearer token)");
        Path spaced = Files.writeString(dir.resolve("spaced"), "secret part\n");
        assertThatThrownBy(() -> BearerToken.read(spaced))
                .hasMessageStartingWith("auth token file " + spaced + ": character 7 of 11 cannot appear in a bearer token")
                .message().doesNotContain("secret");
    }
}
