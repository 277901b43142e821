package io.ringfold.serving.security;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;

import javax.net.ssl.SSLException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A server TLS context from PEM files: a certificate chain (server certificate first, then intermediates)
 * and an unencrypted PKCS#8 private key ({@code -----BEGIN PRIVATE KEY-----}) for an RSA, EC or Ed25519
 * certificate. The files are parsed here rather than by Netty so that every failure names its file, and so
 * that a key that does not belong to the certificate is refused at start-up (it would otherwise fail only
 * in the first handshake). {@link #serverContext} is the HTTPS context (JDK provider, HTTP/1.1 only, no
 * ALPN); the gRPC server builds its HTTP/2 context from the same {@link ServerKey}, with the same TLS policy
 * ({@link #PROTOCOLS}, {@link #CIPHER_SUITES}).
 */
public final class PemTls {

    /** The TLS versions both ports accept. */
    public static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /**
     * The cipher suites both ports accept, in preference order: TLS 1.3's, then for TLS 1.2 only ephemeral ECDH
     * key exchange (forward secrecy) with an AEAD cipher (GCM or ChaCha20-Poly1305); no CBC, no RSA key exchange.
     * This is Mozilla's "intermediate" TLS configuration without its DHE suites, and HTTP/2's requirement
     * (RFC 9113 9.2.2) for the gRPC port.
     */
    public static final List<String> CIPHER_SUITES = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";

    private PemTls() {
    }

    /**
     * A private key and its certificate chain (server certificate first), read from PEM files and checked to
     * belong together. Both TLS front ends (HTTPS here, gRPC with its own shaded Netty) build their
     * contexts from one of these, so the files are parsed and checked once, by one piece of code.
     */
    public record ServerKey(PrivateKey key, List<X509Certificate> chain) {

        public ServerKey {
            chain = List.copyOf(chain);
        }
    }

    /**
     * Reads and checks {@code certFile} and {@code keyFile}.
     *
     * @throws IllegalArgumentException naming the file and what was expected, when a file is missing,
     *                                  unreadable, not PEM of the right kind, or the key does not match the
     *                                  certificate
     */
    public static ServerKey read(Path certFile, Path keyFile) {
        List<X509Certificate> chain = certificates(certFile);
        PrivateKey key = privateKey(keyFile, chain.get(0).getPublicKey().getAlgorithm());
        requireMatch(certFile, keyFile, chain.get(0).getPublicKey(), key);
        return new ServerKey(key, chain);
    }

    /**
     * The HTTPS server context for {@code certFile} and {@code keyFile}.
     *
     * @throws IllegalArgumentException as {@link #read}
     */
    public static SslContext serverContext(Path certFile, Path keyFile) {
        return serverContext(read(certFile, keyFile), certFile, keyFile);
    }

    /** The HTTPS server context (JDK provider, HTTP/1.1, no ALPN) for a key read from the named files. */
    public static SslContext serverContext(ServerKey serverKey, Path certFile, Path keyFile) {
        try {
            return SslContextBuilder.forServer(serverKey.key(), serverKey.chain()).sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS).ciphers(CIPHER_SUITES, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(ApplicationProtocolConfig.DISABLED).build();
        } catch (SSLException e) {
            throw new IllegalArgumentException("TLS with certificate " + certFile + " and key " + keyFile
                    + ": refused by the TLS provider (" + e.getMessage() + ")", e);
        }
    }

    static List<X509Certificate> certificates(Path file) {
        byte[] bytes = read(file, "TLS certificate file", "a PEM certificate chain");
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
                chain.add((X509Certificate) c);
            }
        } catch (CertificateException e) {
            throw new IllegalArgumentException("TLS certificate file " + file + ": not a PEM certificate chain ("
                    + e.getMessage() + "; expected: -----BEGIN CERTIFICATE----- blocks)", e);
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("TLS certificate file " + file
                    + ": no certificate (expected: -----BEGIN CERTIFICATE----- blocks)");
        }
        return chain;
    }

    static PrivateKey privateKey(Path file, String algorithm) {
        String text = new String(read(file, "TLS key file", "a PEM private key"), StandardCharsets.US_ASCII);
        int begin = text.indexOf(KEY_BEGIN);
        int end = text.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("TLS key file " + file + ": " + keyKind(text)
                    + " (expected: an unencrypted PKCS#8 key, -----BEGIN PRIVATE KEY-----; convert with "
                    + "`openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8`)");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS key file " + file + ": not a PKCS#8 " + algorithm
                    + " private key (" + e.getMessage() + "; expected: the key of the certificate's "
                    + algorithm + " public key)", e);
        }
    }

    /** What a PEM file that is not an unencrypted PKCS#8 key holds, for the error message. */
    private static String keyKind(String text) {
        if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            return "an encrypted PKCS#8 key (no passphrase support)";
        }
        if (text.contains("-----BEGIN RSA PRIVATE KEY-----")) {
            return "a PKCS#1 RSA key";
        }
        if (text.contains("-----BEGIN EC PRIVATE KEY-----")) {
            return "a SEC1 EC key";
        }
        if (text.contains("-----BEGIN CERTIFICATE-----")) {
            return "a certificate, not a key (are --tls-cert and --tls-key swapped?)";
        }
        return "no PEM private key";
    }

    /** Signs a fixed message with the key and verifies it with the certificate's public key. */
    private static void requireMatch(Path certFile, Path keyFile, PublicKey pub, PrivateKey key) {
        String alg = switch (pub.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> throw new IllegalArgumentException("TLS certificate file " + certFile + ": public key algorithm "
                    + pub.getAlgorithm() + " (expected: RSA, EC or Ed25519)");
        };
        byte[] message = "ringfold key check".getBytes(StandardCharsets.US_ASCII);
        boolean match;
        try {
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(message);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(message);
            match = v.verify(sig);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS key file " + keyFile + ": cannot sign with it (" + e.getMessage()
                    + "; expected: the private key of " + certFile + ")", e);
        }
        if (!match) {
            throw new IllegalArgumentException("TLS key file " + keyFile + ": does not match the certificate in "
                    + certFile + " (expected: the private key of that certificate's public key)");
        }
    }

    private static byte[] read(Path file, String what, String expected) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(what + " " + file + ": cannot be read (" + e + "; expected: a readable file holding "
                    + expected + ")", e);
        }
    }
}
