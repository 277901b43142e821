package io.ringfold.collective;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Faults over real sockets with a separate OS process: ranks 0 and 1 are threads of this JVM, rank 2 is
 * a {@link FaultyWorker} process that dies, stalls or sends nonsense. The survivors must fail within the
 * deadline (plus a generous margin for this shared machine) naming rank 2 and its address.
 */
class TcpFaultTest {

    static final Duration TIMEOUT = Duration.ofSeconds(4);
    private final List<Process> processes = new ArrayList<>();
    private final List<Communicator> comms = new ArrayList<>();
    private final ExecutorService pool = Executors.newCachedThreadPool();
    /** Completes when the worker prints READY (or its output ends). */
    private final CompletableFuture<Void> ready = new CompletableFuture<>();

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Communicator c : comms) {
            c.close();
        }
        for (Process p : processes) {
            p.destroyForcibly();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("worker process ended").isTrue();
        }
        pool.shutdownNow();
    }

    /** Starts rank 2 as a process and joins ranks 0 and 1 here; returns the process's output lines. */
    private StringBuilder start(String mode) throws Exception {
        TcpEndpoint e0 = TcpEndpoint.bind("127.0.0.1", 0);
        InetSocketAddress at = e0.address();
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                FaultyWorker.class.getName(), TcpEndpoint.format(at), "2", "3", Long.toString(TIMEOUT.toMillis()), mode);
        pb.redirectErrorStream(true);
        Process p = pb.start();
        processes.add(p);
        StringBuilder output = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null;) {
                    synchronized (output) {
                        output.append(line).append('\n');
                    }
                    if (line.equals("READY")) {
                        ready.complete(null);
                    }
                }
            } catch (java.io.IOException ex) {
                ready.completeExceptionally(ex);
            }
            ready.complete(null);
        });
        reader.setDaemon(true);
        reader.start();
        // Rendezvous with a long deadline (the worker JVM is starting); the calls then use TIMEOUT.
        TcpOptions setup = TcpCommunicatorTest.options(TIMEOUT).withSetupTimeout(Duration.ofSeconds(60));
        Future<TcpCommunicator> c0 = pool.submit(() -> TcpRendezvous.join(e0, at, 0, 3, setup));
        Future<TcpCommunicator> c1 = pool.submit(() -> TcpRendezvous.join(TcpEndpoint.bind("127.0.0.1", 0), at, 1, 3, setup));
        comms.add(c0.get(60, TimeUnit.SECONDS));
        comms.add(c1.get(60, TimeUnit.SECONDS));
        return output;
    }

    private List<Ranks.Outcome<Object>> survivors(Ranks.Body<Object> body) {
        return Ranks.run(comms, body);
    }

    private static void assertNamesRank2(Ranks.Outcome<Object> o, long limitNanos) {
        assertThat(o.error()).isInstanceOf(CollectiveException.class).hasMessageContaining("rank 2 (127.0.0.1:");
        assertThat(o.error().getMessage()).doesNotContain("\n");
        assertThat(o.nanos()).isLessThan(limitNanos);
    }

    @Test
    void killedWorkerIsNamedBySurvivors() throws Exception {
        start("loop");
        List<Ranks.Outcome<Object>> out = new ArrayList<>();
        Future<?> run = pool.submit(() -> out.addAll(survivors(TcpFaultTest::allReduceForever)));
        waitForReady();
        processes.get(0).destroyForcibly(); // SIGKILL
        run.get(120, TimeUnit.SECONDS);
        assertNamesTheLostPeer(out);
    }

    @Test
    void workerThatExitsMidCollectiveIsNamedBySurvivors() throws Exception {
        start("exit"); // halts itself, communicator open, while it loops over allreduces
        List<Ranks.Outcome<Object>> out = survivors(TcpFaultTest::allReduceForever);
        assertThat(processes.get(0).waitFor(60, TimeUnit.SECONDS)).as("the worker exited").isTrue();
        assertThat(processes.get(0).exitValue()).isEqualTo(FaultyWorker.EXIT_STATUS);
        assertNamesTheLostPeer(out);
    }

    private static Object allReduceForever(Communicator c) {
        float[] buf = new float[1 << 20];
        while (true) {
            c.allReduce(buf, 0, buf.length, ReduceOp.SUM);
        }
    }

    /**
     * The peer's end is noticed by its connection, before the deadline: by end of stream, or by a reset
     * when it died with bytes unread. A survivor that hears it first tells the other, whose message
     * then quotes it.
     */
    private static void assertNamesTheLostPeer(List<Ranks.Outcome<Object>> out) {
        assertThat(out).hasSize(2);
        for (Ranks.Outcome<Object> o : out) {
            assertNamesRank2(o, Long.MAX_VALUE); // the loop's duration says nothing; the deadline is TIMEOUT
            assertThat(o.error().getMessage())
                    .containsPattern("^allreduce #\\d+ \\(float32 x 1048576, sum\\) on rank [01]/3"
                            + " \\(127\\.0\\.0\\.1:\\d+\\): ")
                    .containsPattern("(peer rank 2 \\(127\\.0\\.0\\.1:\\d+\\) closed the connection \\(end of stream: its"
                            + " process exited or was killed\\)|the connection to peer rank 2 \\(127\\.0\\.0\\.1:\\d+\\)"
                            + " failed while (receiving|sending): .+ \\(its process was killed, or its host or the network"
                            + " dropped the connection\\))$");
        }
    }

    private void waitForReady() throws Exception {
        // "loop" prints READY after its first allreduce, which needs the survivors: they are running.
        ready.get(60, TimeUnit.SECONDS);
        assertThat(processes.get(0).isAlive()).as("worker running after READY").isTrue();
    }

    @Test
    void stalledWorkerIsNamedWithinTheDeadline() throws Exception {
        start("stall");
        List<Ranks.Outcome<Object>> out = survivors(c -> {
            float[] buf = new float[1 << 20];
            c.allReduce(buf, 0, buf.length, ReduceOp.SUM); // the worker joins this one
            float[] big = new float[4 << 20];
            c.allReduce(big, 0, big.length, ReduceOp.SUM); // and never this one
            return null;
        });
        for (Ranks.Outcome<Object> o : out) {
            assertNamesRank2(o, TIMEOUT.toNanos() + 10_000_000_000L);
            assertThat(o.error().getMessage()).contains("allreduce #2").contains("timed out");
        }
    }

    @Test
    void garbageFromAPeerIsReportedNotMixed() throws Exception {
        start("garbage");
        List<Ranks.Outcome<Object>> out = survivors(c -> {
            float[] buf = new float[1000];
            c.allReduce(buf, 0, buf.length, ReduceOp.SUM);
            return null;
        });
        for (Ranks.Outcome<Object> o : out) {
            assertNamesRank2(o, Long.MAX_VALUE);
            assertThat(o.error().getMessage()).contains("magic 0x20544547"); // "GET " read little-endian
        }
    }

    @Test
    void wrongSizeFrameIsReported() throws Exception {
        start("wrong-size");
        List<Ranks.Outcome<Object>> out = survivors(c -> {
            float[] buf = new float[1000];
            c.allReduce(buf, 0, buf.length, ReduceOp.SUM);
            return null;
        });
        for (Ranks.Outcome<Object> o : out) {
            assertNamesRank2(o, Long.MAX_VALUE);
            assertThat(o.error().getMessage()).contains("of 12 bytes (expected: frame 1000000 of 4000 bytes");
        }
    }

    /** Rank 0 exchanges with rank 2 both ways at once, as neighbouring pipeline stages do; rank 1 is idle. */
    private static Object exchangeWithRank2Forever(Communicator c) {
        if (c.rank() != 0) {
            return null;
        }
        float[] out = new float[1 << 20];
        float[] in = new float[1 << 20];
        while (true) {
            c.sendReceive(2, out, 0, out.length, 2, in, 0, in.length);
        }
    }

    @Test
    void killedStageDuringSendReceiveIsNamed() throws Exception {
        start("exchange-loop");
        List<Ranks.Outcome<Object>> out = new ArrayList<>();
        Future<?> run = pool.submit(() -> out.addAll(survivors(TcpFaultTest::exchangeWithRank2Forever)));
        waitForReady();
        processes.get(0).destroyForcibly(); // SIGKILL
        run.get(120, TimeUnit.SECONDS);
        assertNamesRank2(out.get(0), Long.MAX_VALUE);
        assertThat(out.get(0).error().getMessage())
                .containsPattern("^sendreceive \\(float32 x 1048576 to rank 2 as message #\\d+, float32 x 1048576 from rank 2"
                        + " as message #\\d+\\) on rank 0/3 \\(127\\.0\\.0\\.1:\\d+\\): ")
                .containsPattern("(closed the connection|failed while (receiving|sending))");
        assertThat(out.get(1).error()).isNull();
    }

    @Test
    void stalledStageDuringSendReceiveIsNamedWithinTheDeadline() throws Exception {
        start("exchange-stall");
        List<Ranks.Outcome<Object>> out = survivors(TcpFaultTest::exchangeWithRank2Forever);
        assertNamesRank2(out.get(0), TIMEOUT.toNanos() + 10_000_000_000L);
        assertThat(out.get(0).error().getMessage()).startsWith("sendreceive (").contains("timed out after 4000 ms waiting for"
                + " rank 2 (127.0.0.1:");
        assertThat(out.get(1).error()).isNull();
    }
}
