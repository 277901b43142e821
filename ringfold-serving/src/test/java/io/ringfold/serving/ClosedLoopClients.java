package io.ringfold.serving;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Load over real loopback sockets: {@code n} threads, each sending one request at a time (a closed loop)
 * until stopped, a request budget is spent, or a thread's own stop condition holds. Every outcome is kept:
 * responses by status with their bodies, and transport failures split into "never connected" (the server
 * refused the connection: nothing was accepted) and everything else (a request that may have been
 * accepted and then dropped).
 */
final class ClosedLoopClients implements AutoCloseable {

    /** One answered request. */
    record Answer(int status, String body, String retryAfter) {
    }

    private final ExecutorService threads;
    private final ExecutorService clientExecutor = Executors.newFixedThreadPool(2, r -> daemon(r, "http-client"));
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).executor(clientExecutor).build();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger budget;
    final List<Answer> answers = new CopyOnWriteArrayList<>();
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger refusedConnections = new AtomicInteger();
    final ConcurrentLinkedQueue<String> dropped = new ConcurrentLinkedQueue<>();
    final Map<Integer, AtomicInteger> byStatus = new ConcurrentHashMap<>();

    /**
     * Starts {@code n} threads posting {@code body} to {@code uri}; a thread ends after an answer for which
     * {@code last} is true or a refused connection.
     */
    ClosedLoopClients(int n, URI uri, String body, int maxRequests, Predicate<Answer> last) {
        this.budget = new AtomicInteger(maxRequests);
        this.threads = Executors.newFixedThreadPool(n, r -> daemon(r, "load-client"));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        for (int i = 0; i < n; i++) {
            threads.execute(() -> loop(request, last));
        }
    }

    private void loop(HttpRequest request, Predicate<Answer> last) {
        while (!stop.get() && budget.getAndDecrement() > 0) {
            Answer a;
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                a = new Answer(r.statusCode(), r.body(), r.headers().firstValue("retry-after").orElse(null));
            } catch (ConnectException e) {
                refusedConnections.incrementAndGet();
                return;
            } catch (IOException e) {
                dropped.add(e.toString());
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            byStatus.computeIfAbsent(a.status(), s -> new AtomicInteger()).incrementAndGet();
            if (a.status() == 200) {
                ok.incrementAndGet();
            }
            if (a.status() != 200 || answers.size() < 20_000) {
                answers.add(a);
            }
            if (last.test(a)) {
                return;
            }
        }
    }

    /** Waits until {@code n} requests have succeeded (at most 20 s). */
    void awaitOk(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (ok.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("load: " + ok.get() + " successes after 20 s (expected: " + n + "); statuses "
                        + byStatus + ", dropped " + dropped);
            }
            Thread.sleep(2);
        }
    }

    /** Lets each thread finish its request, then ends them (at most 30 s). */
    void stopAndJoin() throws InterruptedException {
        stop.set(true);
        join();
    }

    /** Waits for the threads to end on their own (budget or stop condition; at most 30 s). */
    void join() throws InterruptedException {
        threads.shutdown();
        if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
            throw new AssertionError("load clients still running after 30 s");
        }
    }

    @Override
    public void close() {
        stop.set(true);
        threads.shutdownNow();
        clientExecutor.shutdownNow();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
