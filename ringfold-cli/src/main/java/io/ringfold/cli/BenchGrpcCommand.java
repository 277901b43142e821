package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelMetadataRequest;
import io.ringfold.serving.grpc.v2.ModelMetadataResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code ringfold bench grpc}: a closed-loop load client for the Open Inference Protocol v2 over gRPC.
 * Each of {@code --connections} clients sends one single-row ModelInfer, waits for the answer and sends
 * the next, for {@code --duration} seconds after a warm-up; reports requests per second and latency
 * percentiles, like wrk does for HTTP.
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

    @Option(names = "--duration", description = "Seconds measured (default: 10).")
    int duration = 10;

    @Option(names = "--warmup", description = "Seconds sent before measuring (default: 2).")
    int warmup = 2;

    @Option(names = "--json", description = "One JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (connections <= 0 || duration <= 0 || warmup < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--connections " + connections
                    + " --duration " + duration + " --warmup " + warmup + " (expected: > 0, > 0, >= 0)");
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
        try {
            for (int i = 0; i < nChannels; i++) {
                open.add(NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext().build());
            }
            GRPCInferenceServiceBlockingStub probe = GRPCInferenceServiceGrpc.newBlockingStub(open.get(0))
                    .withDeadlineAfter(10, TimeUnit.SECONDS);
            ModelMetadataResponse meta = probe.modelMetadata(ModelMetadataRequest.newBuilder().setName(model).build());
            List<Long> shape = meta.getInputs(0).getShapeList();
            int width = (int) (long) shape.get(shape.size() - 1);
            InferTensorContents.Builder contents = InferTensorContents.newBuilder();
            for (int i = 0; i < width; i++) {
                contents.addFp32Contents(1f);
            }
            ModelInferRequest request = ModelInferRequest.newBuilder().setModelName(model)
                    .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(meta.getInputs(0).getName())
                            .setDatatype("FP32").addShape(1).addShape(width).setContents(contents))
                    .build();
            long start = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
            long end = start + TimeUnit.SECONDS.toNanos(duration);
            long[][] latencies = new long[connections][];
            int[] counts = new int[connections];
            Thread[] clients = new Thread[connections];
            for (int c = 0; c < connections; c++) {
                int id = c;
                GRPCInferenceServiceBlockingStub stub = GRPCInferenceServiceGrpc.newBlockingStub(open.get(c % nChannels));
                clients[c] = new Thread(() -> {
                    long[] lat = new long[1 << 16];
                    int n = 0;
                    while (true) {
                        long t0 = System.nanoTime();
                        if (t0 >= end) {
                            break;
                        }
                        stub.withDeadlineAfter(10, TimeUnit.SECONDS).modelInfer(request);
                        long t1 = System.nanoTime();
                        if (t0 >= start) {
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, n * 2);
                            }
                            lat[n++] = t1 - t0;
                        }
                    }
                    latencies[id] = lat;
                    counts[id] = n;
                }, "bench-grpc-" + c);
                clients[c].start();
            }
            for (Thread t : clients) {
                t.join();
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
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                ObjectNode n = JSON.createObjectNode();
                n.put("model", model);
                n.put("connections", connections);
                n.put("channels", nChannels);
                n.put("requests", total);
                n.put("requests_per_second", rps);
                n.put("p50_us", p50);
                n.put("p99_us", p99);
                out.println(n);
            } else {
                out.printf(Locale.ROOT, "gRPC ModelInfer %s, %d clients over %d channels, %d s: %.0f req/s, p50 %.0f us, "
                        + "p99 %.0f us (%d requests)%n", model, connections, nChannels, duration, rps, p50, p99, total);
            }
            return 0;
        } finally {
            for (ManagedChannel ch : open) {
                ch.shutdownNow();
            }
        }
    }
}
