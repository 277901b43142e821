package io.ringfold.collective;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * A worker process for the fault tests: joins a group at the given rendezvous, prints READY, then
 * misbehaves as told. Usage: {@code FaultyWorker host:port rank size timeoutMillis mode} with mode one of
 * {@code loop} (allreduce forever, to be killed), {@code exit} (the same, halting itself with
 * {@link #EXIT_STATUS} without closing its communicator after a moment), {@code stall} (one allreduce, then stop calling and
 * reading), {@code garbage} (write bytes that are not a frame to every peer), {@code wrong-size} (a
 * correct header for the peers' next small allreduce of 1000 floats, with a wrong payload size),
 * {@code exchange-loop} and {@code exchange-stall} (sendReceive with rank 0 forever, or once and then stop). Modes
 * {@code shm-loop} and {@code shm-stall} do the same as loop and stall through shared memory.
 */
public final class FaultyWorker {

    static final int EXIT_STATUS = 3;

    private FaultyWorker() {
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress rank0 = TcpEndpoint.parse(args[0]);
        int rank = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        Duration timeout = Duration.ofMillis(Long.parseLong(args[3]));
        String mode = args[4];
        TcpOptions o = TcpCommunicatorTest.options(timeout).withSetupTimeout(Duration.ofSeconds(60));
        if (mode.startsWith("shm-")) {
            try (Communicator c = Transport.SHM.over(TcpRendezvous.join(TcpEndpoint.bind("127.0.0.1", 0), rank0, rank, size,
                    o))) {
                float[] buf = new float[1 << 20];
                c.allReduce(buf, 0, buf.length, ReduceOp.SUM);
                System.out.println("READY");
                while (mode.equals("shm-loop")) {
                    c.allReduce(buf, 0, buf.length, ReduceOp.SUM);
                }
                Thread.sleep(120_000);
            }
            return;
        }
        try (TcpCommunicator c = TcpRendezvous.join(TcpEndpoint.bind("127.0.0.1", 0), rank0, rank, size, o)) {
            float[] buf = new float[1 << 20];
            switch (mode) {
                case "loop" -> {
                    c.allReduce(buf, 0, buf.length, ReduceOp.SUM);
                    System.out.println("READY");
                    while (true) {
                        c.allReduce(buf, 0, buf.length, ReduceOp.SUM);
                    }
                }
                case "exit" -> {
                    c.allReduce(buf, 0, buf.length, ReduceOp.SUM);
                    System.out.println("READY");
                    Thread halt = new Thread(() -> {
                        try {
                            Thread.sleep(300);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        Runtime.getRuntime().halt(EXIT_STATUS); // no shutdown hooks: the communicator stays open
                    });
                    halt.start();
                    while (true) {
                        c.allReduce(buf, 0, buf.length, ReduceOp.SUM);
                    }
                }
                case "exchange-loop", "exchange-stall" -> {
                    // Exchanges with rank 0 both ways at once, as pipeline stages do, forever or once.
                    float[] in = new float[buf.length];
                    c.sendReceive(0, buf, 0, buf.length, 0, in, 0, in.length);
                    System.out.println("READY");
                    while (mode.equals("exchange-loop")) {
                        c.sendReceive(0, buf, 0, buf.length, 0, in, 0, in.length);
                    }
                    Thread.sleep(120_000);
                }
                case "stall" -> {
                    c.allReduce(buf, 0, buf.length, ReduceOp.SUM);
                    System.out.println("READY");
                    Thread.sleep(120_000);
                }
                case "garbage" -> {
                    for (int p = 0; p < size; p++) {
                        if (p != rank) {
                            c.writeRawForTesting(p, "GET / HTTP/1.1\r\nHost: x\r\n\r\n.............".getBytes("US-ASCII"));
                        }
                    }
                    System.out.println("READY");
                    Thread.sleep(120_000);
                }
                case "wrong-size" -> {
                    ByteBuffer h = ByteBuffer.allocate(Frame.HEADER + 12).order(ByteOrder.LITTLE_ENDIAN);
                    // The first exchange of recursive doubling is frame 1000000 (step 1) of 4000 bytes.
                    Frame.write(h, Frame.ALLREDUCE, Frame.FLOAT32, (byte) ReduceOp.SUM.ordinal(), 1, 1000, 0, 1_000_000, 12);
                    for (int p = 0; p < size; p++) {
                        if (p != rank) {
                            c.writeRawForTesting(p, h.array());
                        }
                    }
                    System.out.println("READY");
                    Thread.sleep(120_000);
                }
                default -> throw new IllegalArgumentException("mode: " + mode
                        + " (expected: loop, exit, stall, garbage, wrong-size, exchange-loop, exchange-stall)");
            }
        }
    }
}
