package io.ringfold.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferResponse;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One request of raw rows (cells as text: numbers, or category names) to a running server over each of
 * its four inference paths, answering every row's output values (class probabilities, or the value) as
 * floats with their exact bits: JSON numbers are read as decimals and rounded once, to float.
 */
final class InferenceClients implements AutoCloseable {

    /** The four ways to ask. */
    enum Protocol { HTTP_V1, HTTP_V2, GRPC_TYPED, GRPC_RAW }

    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ManagedChannel channel;
    private final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;
    private final int httpPort;

    InferenceClients(int httpPort, int grpcPort) {
        this.httpPort = httpPort;
        this.channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
        this.stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    /**
     * @param categorical whether the model has a categorical column: then the v2 and gRPC input is BYTES
     * @param classifier  whether the answer is class probabilities rather than one value per row
     * @param classes     probabilities per row (ignored for a regressor)
     */
    float[][] infer(Protocol protocol, String model, String[][] rows, boolean categorical, boolean classifier,
                    int classes) throws Exception {
        int width = classifier ? classes : 1;
        float[] flat = switch (protocol) {
            case HTTP_V1 -> v1(model, rows, classifier);
            case HTTP_V2 -> v2(model, rows, categorical);
            case GRPC_TYPED, GRPC_RAW -> grpc(model, rows, categorical, protocol == Protocol.GRPC_RAW);
        };
        if (flat.length != rows.length * width) {
            throw new AssertionError(protocol + " " + model + ": " + flat.length + " values (expected: " + rows.length
                    + " rows × " + width + ")");
        }
        float[][] out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = java.util.Arrays.copyOfRange(flat, r * width, (r + 1) * width);
        }
        return out;
    }

    private float[] v1(String model, String[][] rows, boolean classifier) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode instances = body.putArray("instances");
        for (String[] row : rows) {
            jsonRow(instances.addArray(), row);
        }
        JsonNode predictions = post("/v1/models/" + model + ":predict", body).get("predictions");
        FloatList values = new FloatList();
        for (JsonNode p : predictions) {
            if (classifier) {
                p.get("probabilities").forEach(v -> values.add(exact(v)));
            } else {
                values.add(exact(p.get("value")));
            }
        }
        return values.toArray();
    }

    private float[] v2(String model, String[][] rows, boolean categorical) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode in = body.putArray("inputs").addObject();
        in.put("name", "input").put("datatype", categorical ? "BYTES" : "FP32");
        in.putArray("shape").add(rows.length).add(rows[0].length);
        ArrayNode data = in.putArray("data");
        for (String[] row : rows) {
            jsonRow(data.addArray(), row);
        }
        FloatList values = new FloatList();
        post("/v2/models/" + model + "/infer", body).at("/outputs/0/data").forEach(v -> values.add(exact(v)));
        return values.toArray();
    }

    private float[] grpc(String model, String[][] rows, boolean categorical, boolean raw) {
        ModelInferRequest.InferInputTensor.Builder in = ModelInferRequest.InferInputTensor.newBuilder()
                .setName("input").setDatatype(categorical ? "BYTES" : "FP32").addShape(rows.length)
                .addShape(rows[0].length);
        ModelInferRequest.Builder request = ModelInferRequest.newBuilder().setModelName(model);
        if (raw) {
            ByteBuffer b = ByteBuffer.allocate(rawSize(rows, categorical)).order(ByteOrder.LITTLE_ENDIAN);
            for (String[] row : rows) {
                for (String cell : row) {
                    if (categorical) {
                        byte[] s = cell.getBytes(StandardCharsets.UTF_8);
                        b.putInt(s.length).put(s);
                    } else {
                        b.putFloat(Float.parseFloat(cell));
                    }
                }
            }
            request.addInputs(in).addRawInputContents(ByteString.copyFrom(b.array()));
        } else {
            InferTensorContents.Builder c = InferTensorContents.newBuilder();
            for (String[] row : rows) {
                for (String cell : row) {
                    if (categorical) {
                        c.addBytesContents(ByteString.copyFromUtf8(cell));
                    } else {
                        c.addFp32Contents(Float.parseFloat(cell));
                    }
                }
            }
            request.addInputs(in.setContents(c));
        }
        ModelInferResponse r = stub.withDeadlineAfter(20, TimeUnit.SECONDS).modelInfer(request.build());
        if (!raw) {
            FloatList values = new FloatList();
            r.getOutputs(0).getContents().getFp32ContentsList().forEach(values::add);
            return values.toArray();
        }
        ByteBuffer b = r.getRawOutputContents(0).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[b.remaining() / Float.BYTES];
        for (int i = 0; i < f.length; i++) {
            f[i] = b.getFloat();
        }
        return f;
    }

    private static int rawSize(String[][] rows, boolean categorical) {
        int size = 0;
        for (String[] row : rows) {
            for (String cell : row) {
                size += categorical ? 4 + cell.getBytes(StandardCharsets.UTF_8).length : Float.BYTES;
            }
        }
        return size;
    }

    /** Numbers as JSON numbers (their text unchanged), category names as strings. */
    private static void jsonRow(ArrayNode out, String[] row) {
        for (String cell : row) {
            if (cell.matches("-?[0-9.]+(E-?[0-9]+)?")) {
                out.add(new BigDecimal(cell));
            } else {
                out.add(cell);
            }
        }
    }

    private JsonNode post(String path, ObjectNode body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError(path + ": status " + r.statusCode() + " (expected: 200): " + r.body());
        }
        return JSON.readTree(r.body());
    }

    /** The float a JSON number's decimal text denotes, rounded once. */
    static float exact(JsonNode v) {
        if (!v.isNumber()) {
            throw new AssertionError("value " + v + " (expected: a number)");
        }
        return Float.parseFloat(v.decimalValue().toString());
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** A growing float[]. */
    private static final class FloatList {
        private float[] values = new float[16];
        private int size;

        void add(float v) {
            if (size == values.length) {
                values = java.util.Arrays.copyOf(values, 2 * size);
            }
            values[size++] = v;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(values, size);
        }
    }
}
