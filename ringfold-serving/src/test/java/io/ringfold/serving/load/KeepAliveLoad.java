package io.ringfold.serving.load;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Closed-loop HTTP/1.1 load on keep-alive connections that counts every request: each client sends one
 * request, reads its reply, and sends the next on the same connection until the reply says
 * {@code Connection: close}, then opens another. A request written and never answered (the connection ended
 * first) is a failure, with its cause kept; a connection refused ends that client, since the server no longer
 * accepts (a load balancer would have sent the request elsewhere; nothing was sent).
 */
public final class KeepAliveLoad extends ClosedLoop {

    private final String host;
    private final int port;
    private final byte[] request;
    private final Duration timeout;
    public final AtomicLong reconnects = new AtomicLong();
    private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();

    /** Starts {@code clients} threads sending {@code request} (complete request bytes) to {@code host:port}. */
    public KeepAliveLoad(String host, int port, byte[] request, int clients, Duration timeout) {
        super(clients);
        this.host = host;
        this.port = port;
        this.request = request.clone();
        this.timeout = timeout;
        start("keep-alive-load");
    }

    @Override
    void run(int client) {
        RawHttp c = null;
        try {
            while (!stop) {
                if (c == null) {
                    try {
                        c = RawHttp.connect(host, port, timeout);
                    } catch (ConnectException e) {
                        refusedClients.incrementAndGet();
                        return;
                    }
                }
                RawHttp.Response r;
                try {
                    c.write(request);
                    r = c.read();
                } catch (IOException e) {
                    failures.add("request sent, no reply: " + e);
                    close(c);
                    c = null;
                    continue;
                }
                byStatus.computeIfAbsent(r.status(), s -> new LongAdder()).increment();
                if (r.status() == 200) {
                    ok.incrementAndGet();
                } else {
                    failures.add("status " + r.status() + ": " + r.text());
                }
                if (r.closes()) {
                    close(c);
                    c = null;
                    reconnects.incrementAndGet();
                }
            }
        } catch (IOException e) {
            failures.add("connect: " + e);
        } finally {
            close(c);
        }
    }

    private static void close(RawHttp c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // Nothing to do: the connection is gone either way.
            }
        }
    }

    /** Replies so far by status. */
    public Map<Integer, Long> byStatus() {
        Map<Integer, Long> out = new TreeMap<>();
        byStatus.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
