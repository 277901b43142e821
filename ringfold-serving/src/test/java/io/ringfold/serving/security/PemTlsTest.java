package io.ringfold.serving.security;

import io.netty.handler.ssl.SslContext;
import io.ringfold.serving.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Start-up checks of the PEM files; the handshake itself is tested end to end (SecureServerEndToEndTest). */
class PemTlsTest {

    @TempDir
    static Path dir;

    private static TestCertificates.Pem a;
    private static TestCertificates.Pem b;

    @BeforeAll
    static void certificates() throws Exception {
        a = TestCertificates.selfSigned(dir, "a", "EC");
        b = TestCertificates.selfSigned(dir, "b", "EC");
    }

    @Test
    void aMatchingPairGivesAServerContext() {
        SslContext ctx = PemTls.serverContext(a.cert(), a.key());
        assertThat(ctx.isServer()).isTrue();
    }

    @Test
    void aKeyOfAnotherCertificateIsRefused() {
        assertThatThrownBy(() -> PemTls.serverContext(a.cert(), b.key())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TLS key file " + b.key() + ": does not match the certificate in " + a.cert()
                        + " (expected: the private key of that certificate's public key)");
    }

    @Test
    void missingSwappedAndUnsupportedFilesAreNamed() throws Exception {
        Path none = dir.resolve("none.crt");
        assertThatThrownBy(() -> PemTls.serverContext(none, a.key()))
                .hasMessageStartingWith("TLS certificate file " + none + ": cannot be read");
        assertThatThrownBy(() -> PemTls.serverContext(a.cert(), dir.resolve("none.key")))
                .hasMessageStartingWith("TLS key file " + dir.resolve("none.key") + ": cannot be read");
        assertThatThrownBy(() -> PemTls.serverContext(a.key(), a.cert()))
                .hasMessageStartingWith("TLS certificate file " + a.key() + ": not a PEM certificate chain");
        assertThatThrownBy(() -> PemTls.serverContext(a.cert(), a.cert()))
                .hasMessageContaining("TLS key file " + a.cert() + ": a certificate, not a key (are --tls-cert and --tls-key swapped?)");
        // The header decides: OpenSSL's traditional formats need converting to PKCS#8 first.
        Path pkcs1 = Files.writeString(dir.resolve("rsa.key"), TestCertificates.pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));
        assertThatThrownBy(() -> PemTls.serverContext(a.cert(), pkcs1))
                .hasMessageContaining("TLS key file " + pkcs1 + ": a PKCS#1 RSA key (expected: an unencrypted PKCS#8 key")
                .hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        Path garbage = Files.writeString(dir.resolve("garbage.key"),
                TestCertificates.pem("PRIVATE KEY", new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}));
        assertThatThrownBy(() -> PemTls.serverContext(a.cert(), garbage))
                .hasMessageStartingWith("TLS key file " + garbage + ": not a PKCS#8 EC private key");
    }
}
