package io.ringfold.collective;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;

/**
 * A bound listening socket: where one rank accepts the connections of the ranks above it. Bind it
 * first, publish {@link #address()} (for example through Spark's barrier all-gather), then hand it to
 * {@link TcpCommunicator#connect} or {@link TcpRendezvous#join}, which take ownership of it.
 */
public final class TcpEndpoint implements AutoCloseable {

    final ServerSocketChannel server;
    private final InetSocketAddress address;

    private TcpEndpoint(ServerSocketChannel server, InetSocketAddress address) {
        this.server = server;
        this.address = address;
    }

    /**
     * Listens on {@code host:port}; port 0 picks a free port. The advertised address is the bound one,
     * or, for a wildcard host, this machine's canonical address.
     */
    public static TcpEndpoint bind(String host, int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 0..65535)");
        }
        try {
            ServerSocketChannel s = ServerSocketChannel.open();
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(new InetSocketAddress(host, port), 128);
            InetSocketAddress bound = (InetSocketAddress) s.getLocalAddress();
            InetAddress advertised = bound.getAddress().isAnyLocalAddress() ? InetAddress.getLocalHost() : bound.getAddress();
            return new TcpEndpoint(s, new InetSocketAddress(advertised, bound.getPort()));
        } catch (IOException e) {
            throw new UncheckedIOException("listening on " + host + ":" + port + " failed: " + CollectiveException.reason(e), e);
        }
    }

    /** Where peers reach this endpoint. */
    public InetSocketAddress address() {
        return address;
    }

    public int port() {
        return address.getPort();
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            throw new UncheckedIOException("closing the endpoint at " + format(address) + " failed: "
                    + CollectiveException.reason(e), e);
        }
    }

    /** {@code host:port} with the numeric address (no reverse lookup). */
    static String format(InetSocketAddress a) {
        if (a == null) {
            return "?";
        }
        return (a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString()) + ":" + a.getPort();
    }

    /** Parses {@code host:port} (the host may be a bracketed IPv6 literal). */
    public static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("address: '" + hostPort + "' (expected: host:port)");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("address: '" + hostPort + "' (expected: host:port with a numeric port)", e);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("address: '" + hostPort + "' (expected: a port in 0..65535)");
        }
        return new InetSocketAddress(host, port);
    }
}
