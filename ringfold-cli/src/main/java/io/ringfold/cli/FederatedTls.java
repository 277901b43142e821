package io.ringfold.cli;

import io.ringfold.serving.security.PemTls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for {@code ringfold federated}: the coordinator's listening socket from the same PEM files, checks and policy
 * (TLS versions, cipher suites) as {@code ringfold serve} ({@link PemTls}), and the clients' sockets trusting the CA
 * certificates of {@code --tls-ca}, with the host name checked against the coordinator's certificate.
 */
final class FederatedTls {

    private static final char[] NO_PASSWORD = new char[0];

    private FederatedTls() {
    }

    /** A listening socket on {@code host:port}: TLS with {@code cert} and {@code key} when given, else plain TCP. */
    static ServerSocket listen(String host, int port, Path cert, Path key) throws IOException {
        if (cert == null) {
            return new ServerSocket(port, 128, InetAddress.getByName(host));
        }
        PemTls.ServerKey serverKey = PemTls.read(cert, key);
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("coordinator", serverKey.key(), NO_PASSWORD, serverKey.chain().toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, NO_PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            SSLServerSocket s = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(port, 128,
                    InetAddress.getByName(host));
            s.setEnabledProtocols(PemTls.PROTOCOLS.toArray(String[]::new));
            s.setEnabledCipherSuites(PemTls.CIPHER_SUITES.stream().filter(java.util.Set.of(s.getSupportedCipherSuites())
                    ::contains).toArray(String[]::new));
            return s;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-cert " + cert + ": " + e.getMessage(), e);
        }
    }

    /** Plain sockets, or TLS sockets trusting the PEM certificates in {@code caFile} and checking the host name. */
    static SocketFactory clientSockets(Path caFile) {
        if (caFile == null) {
            return SocketFactory.getDefault();
        }
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("--tls-ca " + caFile + ": no certificate (expected: PEM "
                        + "'-----BEGIN CERTIFICATE-----' blocks)");
            }
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                trust.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return new HostCheckingSockets(context);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("--tls-ca " + caFile + ": " + e.getMessage()
                    + " (expected: a readable file of PEM CA certificates)", e);
        }
    }

    /** TLS client sockets that verify the coordinator's certificate names the host connected to (as HTTPS does). */
    private static final class HostCheckingSockets extends SocketFactory {
        private final SSLContext context;

        HostCheckingSockets(SSLContext context) {
            this.context = context;
        }

        @Override
        public Socket createSocket() throws IOException {
            SSLSocket s = (SSLSocket) context.getSocketFactory().createSocket();
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            p.setProtocols(PemTls.PROTOCOLS.toArray(String[]::new));
            s.setSSLParameters(p);
            return s;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            throw new UnsupportedOperationException("connect an unconnected socket from createSocket()");
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            throw new UnsupportedOperationException("connect an unconnected socket from createSocket()");
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            throw new UnsupportedOperationException("connect an unconnected socket from createSocket()");
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            throw new UnsupportedOperationException("connect an unconnected socket from createSocket()");
        }
    }
}
