package io.ringfold.serving;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates made at test time by the JDK's own {@code keytool} (no test key is checked in,
 * and none depends on Netty's SelfSignedCertificate, which picks a generator by trying each), written as
 * the PEM files the server reads: the certificate, and the key as unencrypted PKCS#8.
 */
public final class TestCertificates {

    private static final char[] PASS = "changeit".toCharArray();

    /** A certificate file, its key file, and the certificate itself (for a client trust store). */
    public record Pem(Path cert, Path key, Certificate certificate) {

        /** A client TLS context that trusts exactly this certificate. */
        public SSLContext clientContext() throws GeneralSecurityException, IOException {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        }
    }

    private TestCertificates() {
    }

    /**
     * A self-signed certificate for {@code localhost} and {@code 127.0.0.1} in {@code dir}, named {@code name}.
     *
     * @param keyAlgorithm {@code EC} (P-256) or {@code RSA} (2048 bits)
     */
    public static Pem selfSigned(Path dir, String name, String keyAlgorithm) throws Exception {
        Path store = dir.resolve(name + ".p12");
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", keyAlgorithm, "-dname", "CN=localhost",
                "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(PASS), "-keypass", new String(PASS)));
        cmd.addAll(keyAlgorithm.equals("EC") ? List.of("-groupname", "secp256r1") : List.of("-keysize", "2048"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + output);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASS);
        }
        Certificate cert = ks.getCertificate("server");
        PrivateKey key = (PrivateKey) ks.getKey("server", PASS);
        Path certFile = Files.writeString(dir.resolve(name + ".crt"), pem("CERTIFICATE", cert.getEncoded()));
        Path keyFile = Files.writeString(dir.resolve(name + ".key"), pem("PRIVATE KEY", key.getEncoded()));
        return new Pem(certFile, keyFile, cert);
    }

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
