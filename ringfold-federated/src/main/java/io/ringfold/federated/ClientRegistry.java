package io.ringfold.federated;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.federated.wire.Message;
import io.ringfold.federated.wire.MessageChannel;
import io.ringfold.federated.wire.MessageType;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The clients connected to a coordinator: accepts connections, reads each one's HELLO (within
 * {@link #HELLO_TIMEOUT_MILLIS}), checks its token and its data description against the run's, and keeps the
 * accepted ones by id until they are dropped. A refused client gets a REFUSED message with the reason, which is
 * also logged; the token itself never appears in a message.
 */
final class ClientRegistry implements AutoCloseable {

    static final long HELLO_TIMEOUT_MILLIS = 10_000;

    /** An accepted client: its id, its connection and what it said about its data. */
    record Session(String id, MessageChannel channel, DataDescription description) {
    }

    private final ServerSocket server;
    private final Predicate<String> tokenCheck;
    private final Function<DataDescription, String> admission;
    private final Function<DataDescription, ObjectNode> welcome;
    private final Consumer<String> log;
    private final ExecutorService threads;
    private final Map<String, Session> sessions = new TreeMap<>();
    private volatile boolean closed;

    /**
     * @param tokenCheck whether a presented token is the run's (always true when the run has none)
     * @param admission  why a client with this description cannot join, or null when it can
     * @param welcome    the WELCOME header for an admitted client
     */
    ClientRegistry(ServerSocket server, Predicate<String> tokenCheck, Function<DataDescription, String> admission,
                   Function<DataDescription, ObjectNode> welcome, Consumer<String> log, ExecutorService threads) {
        this.server = server;
        this.tokenCheck = tokenCheck;
        this.admission = admission;
        this.welcome = welcome;
        this.log = log;
        this.threads = threads;
        threads.execute(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (SocketException e) {
                return; // closed
            } catch (IOException e) {
                if (!closed) {
                    log.accept("accept on " + server.getLocalSocketAddress() + ": " + e.getMessage());
                }
                continue;
            }
            threads.execute(() -> handshake(s));
        }
    }

    private void handshake(Socket s) {
        String address = String.valueOf(s.getRemoteSocketAddress());
        MessageChannel channel;
        try {
            channel = new MessageChannel(s, "client at " + address);
        } catch (IOException e) {
            log.accept("client at " + address + ": " + e.getMessage());
            return;
        }
        try {
            Message hello = channel.receive(System.nanoTime() + HELLO_TIMEOUT_MILLIS * 1_000_000, "HELLO", 0);
            if (hello.type() != MessageType.HELLO) {
                refuse(channel, "first message " + hello.type() + " (expected: HELLO)");
                return;
            }
            String id = hello.header().path("client_id").asText("");
            if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
                refuse(channel, "client_id '" + abbreviate(id) + "' (expected: 1 to 64 letters, digits, '.', '_', '-')");
                return;
            }
            if (!tokenCheck.test(hello.header().path("token").asText(""))) {
                refuse(channel.renamed("client " + id + " (" + address + ")"), "auth token: wrong or missing "
                        + "(expected: the coordinator's --auth-token-file)");
                return;
            }
            DataDescription description;
            try {
                description = DataDescription.fromJson(hello.header().path("data"));
            } catch (IllegalArgumentException e) {
                refuse(channel, "data description: " + e.getMessage());
                return;
            }
            MessageChannel named = channel.renamed("client " + id + " (" + address + ")");
            synchronized (this) {
                String why = sessions.containsKey(id) ? "client_id " + id + " is already connected (expected: a "
                        + "distinct --client-id per client)" : admission.apply(description);
                if (why != null) {
                    refuse(named, why);
                    return;
                }
                named.send(Message.of(MessageType.WELCOME, welcome.apply(description)));
                sessions.put(id, new Session(id, named, description));
                notifyAll();
            }
            log.accept("client " + id + " joined from " + address + " (" + description.rows() + " examples)");
        } catch (RuntimeException e) {
            log.accept("client at " + address + " refused: " + e.getMessage());
            channel.close();
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 70 ? s.substring(0, 64) + "..." : s;
    }

    private void refuse(MessageChannel channel, String reason) {
        log.accept(channel.peer() + " refused: " + reason);
        ObjectNode h = Message.newHeader();
        h.put("reason", reason);
        try {
            channel.send(Message.of(MessageType.REFUSED, h));
        } finally {
            channel.close();
        }
    }

    /** The ids connected now, sorted. */
    synchronized SortedSet<String> connected() {
        return new TreeSet<>(sessions.keySet());
    }

    synchronized Session get(String id) {
        return sessions.get(id);
    }

    /**
     * Waits until at least {@code count} clients are connected or {@code deadlineNanos} passes; returns the ids
     * connected then.
     */
    synchronized SortedSet<String> awaitClients(int count, long deadlineNanos) throws InterruptedException {
        while (sessions.size() < count) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return connected();
    }

    /** Closes a client's connection and forgets it (it may connect again); the reason is the caller's to log. */
    synchronized void drop(String id) {
        Session s = sessions.remove(id);
        if (s != null) {
            s.channel().close();
        }
    }

    /** Sends DONE to every client still connected and closes the listening socket and every connection. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            log.accept("closing " + server.getLocalSocketAddress() + ": " + e.getMessage());
        }
        synchronized (this) {
            for (Session s : sessions.values()) {
                s.channel().close();
            }
            sessions.clear();
        }
    }

    /** Tells every connected client the run is over. */
    synchronized void finish(ObjectNode header) {
        for (Session s : sessions.values()) {
            try {
                s.channel().send(Message.of(MessageType.DONE, header));
            } catch (RuntimeException e) {
                log.accept(s.channel().peer() + ": " + e.getMessage());
            }
        }
    }
}
