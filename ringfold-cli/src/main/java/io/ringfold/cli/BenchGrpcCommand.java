package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.stub.StreamObserver;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc.GRPCInferenceServiceStub;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelMetadataRequest;
import io.ringfold.serving.grpc.v2.ModelMetadataResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code ringfold bench grpc}: a closed-loop load client for the Open Inference Protocol v2 over gRPC.
 * Each of {@code --connections} clients sends one single-row ModelInfer, waits for the answer and sends
 * the next, for {@code --duration} seconds after a warm-up; reports requests per second and latency
 * percentiles, like wrk does for HTTP. The clients are asynchronous calls on {@code --threads} event-loop
 * threads (one by default), not a thread each, so the client's cost does not grow with the number of
 * clients; it reports its own CPU time per request, so a client-bound figure shows as one. (On a machine
 * oversubscribed by other work, 64 blocking threads win a larger share of the cores than one event loop:
 * compare clients on a quiet machine; see bench/RESULTS.md.)
 */
@Command(name = "grpc", mixinStandardHelpOptions = true,
        description = "Closed-loop gRPC ModelInfer load against a running `ringfold serve`.")
final class BenchGrpcCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--target", description = "host:port of the gRPC server (default: 127.0.0.1:8081).")
    String target = "127.0.0.1:8081";

    @Option(names = "--model", required = true, description = "Model name.")
    String model;

    @Option(names = "--connections", description = "Concurrent clients, each with one call in flight (default: 1).")
    int connections = 1;

    @Option(names = "--channels", description = "HTTP/2 connections the clients share (default: min(connections, 8)).")
    Integer channels;

    @Option(names = "--threads", description = "Event-loop threads of the client, which run all its calls (default: 1; "
            + "one thread drives tens of thousands of calls per second and leaves the cores to the server).")
    int threads = 1;

    @Option(names = "--duration", description = "Seconds measured (default: 10).")
    int duration = 10;

    @Option(names = "--warmup", description = "Seconds sent before measuring (default: 2).")
    int warmup = 2;

    @Option(names = "--rows", description = "Rows per request (default: 1).")
    int rows = 1;

    @Option(names = "--raw", description = "Send the rows as raw_input_contents (little-endian bytes, as tritonclient "
            + "does) instead of typed fp32_contents; the server then answers in raw_output_contents.")
    boolean raw;

    @Option(names = "--json", description = "One JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (connections <= 0 || duration <= 0 || warmup < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--connections " + connections
                    + " --duration " + duration + " --warmup " + warmup + " (expected: > 0, > 0, >= 0)");
        }
        if (rows <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--rows: " + rows + " (expected: > 0)");
        }
        if (threads <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--threads: " + threads + " (expected: > 0)");
        }
        int nChannels = channels == null ? Math.min(connections, 8) : channels;
        if (nChannels <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--channels: " + nChannels
                    + " (expected: > 0)");
        }
        String[] hp = target.split(":");
        if (hp.length != 2) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--target: " + target
                    + " (expected: host:port)");
        }
        List<ManagedChannel> open = new ArrayList<>();
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
        try {
            for (int i = 0; i < nChannels; i++) {
                // Direct executor: answers are handled on the event loop that read them, with no hop to a pool.
                // A fixed window (gRPC's default size) turns off the BDP pings of auto-tuning, as on the server.
                open.add(NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext().directExecutor()
                        .eventLoopGroup(loop).channelType(NioSocketChannel.class).flowControlWindow(1 << 20).build());
            }
            GRPCInferenceServiceBlockingStub probe = GRPCInferenceServiceGrpc.newBlockingStub(open.get(0))
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            ModelMetadataResponse meta = probe.modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build());
            List<Long> shape = meta.getInputs(0).getShapeList();
            int width = (int) (long) shape.get(shape.size() - 1);
            ModelInferRequest.InferInputTensor.Builder input = ModelInferRequest.InferInputTensor.newBuilder()
                    .setName(meta.getInputs(0).getName()).setDatatype("FP32").addShape(rows).addShape(width);
            ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model);
            if (raw) {
                ByteBuffer bytes = ByteBuffer.allocate(rows * width * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
                while (bytes.hasRemaining()) {
                    bytes.putFloat(1f);
                }
                request.addInputs(input).addRawInputContents(ByteString.copyFrom(bytes.flip()));
            } else {
                InferTensorContents.Builder contents = InferTensorContents.newBuilder();
                for (int i = 0; i < rows * width; i++) {
                    contents.addFp32Contents(1f);
                }
                request.addInputs(input.setContents(contents));
            }
            ModelInferRequest message = request.build();
            long start = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
            long end = start + TimeUnit.SECONDS.toNanos(duration);
            ClosedLoop[] clients = new ClosedLoop[connections];
            CountDownLatch done = new CountDownLatch(connections);
            for (int c = 0; c < connections; c++) {
                clients[c] = new ClosedLoop(GRPCInferenceServiceGrpc.newStub(open.get(c % nChannels)), message, start,
                        end, done);
            }
            for (ClosedLoop c : clients) {
                c.send();
            }
            long cpuStart = cpuAt(start);
            long cpuEnd = cpuAt(end);
            // Every call has a 10 s deadline, so each client ends at most that long after the measured window.
            if (!done.await(TimeUnit.NANOSECONDS.toSeconds(end - System.nanoTime()) + 30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("bench grpc: clients still running 30 s after the end (expected: done)");
            }
            long[][] latencies = new long[connections][];
            int[] counts = new int[connections];
            long failed = 0;
            String firstError = null;
            for (int c = 0; c < connections; c++) {
                latencies[c] = clients[c].latencies;
                counts[c] = clients[c].count;
                failed += clients[c].failed;
                if (firstError == null) {
                    firstError = clients[c].firstError;
                }
            }
            int total = 0;
            for (int n : counts) {
                total += n;
            }
            long[] all = new long[total];
            int k = 0;
            for (int c = 0; c < connections; c++) {
                System.arraycopy(latencies[c], 0, all, k, counts[c]);
                k += counts[c];
            }
            Arrays.sort(all);
            double rps = total / (double) duration;
            double p50 = total == 0 ? 0 : all[(int) (0.50 * (total - 1))] / 1e3;
            double p99 = total == 0 ? 0 : all[(int) (0.99 * (total - 1))] / 1e3;
            double cpuPerRequest = total == 0 ? 0 : (cpuEnd - cpuStart) / 1e3 / total;
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode n = JSON.createObjectNode();
                n.put("model", model);
                n.put("connections", connections);
                n.put("rows", rows);
                n.put("raw", raw);
                n.put("channels", nChannels);
                n.put("requests", total);
                n.put("failed", failed);
                n.put("requests_per_second", rps);
                n.put("p50_us", p50);
                n.put("p99_us", p99);
                n.put("client_cpu_us_per_request", cpuPerRequest);
                out.println(n);
            } else {
                out.printf(Locale.ROOT, "gRPC ModelInfer %s, %d clients over %d channels, %d s: %.0f req/s, p50 %.0f us, "
                        + "p99 %.0f us (%d requests, %d failed; client CPU %.1f us per request)%n", model, connections,
                        nChannels, duration, rps, p50, p99, total, failed, cpuPerRequest);
            }
            if (failed > 0) {
                spec.commandLine().getErr().println("bench grpc: " + failed + " calls failed; first: " + firstError);
                return 1;
            }
            return 0;
        } finally {
            for (ManagedChannel ch : open) {
                ch.shutdownNow();
            }
            for (ManagedChannel ch : open) {
                ch.awaitTermination(5, TimeUnit.SECONDS);
            }
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * This process's CPU time (all threads, nanoseconds) once {@code nanoTime} reaches {@code at}: what the
     * client spent in the measured window shows whether it, rather than the server, set the figure.
     */
    private static long cpuAt(long at) throws InterruptedException {
        long wait = at - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * One client: one call in flight; each answer records its latency (from the warm-up's end on) and sends
     * the next call, until the end. Callbacks run on the channel's event loop (direct executor), and one
     * client's calls never overlap, so its fields need no lock; the latch publishes them to the main thread.
     */
    private static final class ClosedLoop implements StreamObserver<ModelInferResponse> {
        private final GRPCInferenceServiceStub stub;
        private final ModelInferRequest request;
        private final long start;
        private final long end;
        private final CountDownLatch done;
        long[] latencies = new long[1 << 14];
        int count;
        long failed;
        String firstError;
        private long sentAt;

        ClosedLoop(GRPCInferenceServiceStub stub, ModelInferRequest request, long start, long end, CountDownLatch done) {
            this.stub = stub;
            this.request = request;
            this.start = start;
            this.end = end;
            this.done = done;
        }

        void send() {
            sentAt = System.nanoTime();
            if (sentAt >= end) {
                done.countDown();
                return;
            }
            stub.withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(request, this);
        }

        @Override
        public void onNext(ModelInferResponse value) {
            long now = System.nanoTime();
            if (sentAt >= start) {
                if (count == latencies.length) {
                    latencies = Arrays.copyOf(latencies, count * 2);
                }
                latencies[count++] = now - sentAt;
            }
        }

        @Override
        public void onError(Throwable t) {
            failed++;
            if (firstError == null) {
                firstError = t.toString();
            }
            // A failing server is not measured: this client stops rather than spinning on errors.
            done.countDown();
        }

        @Override
        public void onCompleted() {
            send();
        }
    }
}
