package io.ringfold.serving.grpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.TensorProto;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An independent client: src/test/python/grpc_clients.py generates Python stubs from the vendored protos at
 * run time (Debian's protobuf-compiler, protobuf-compiler-grpc, python3-grpcio, python3-protobuf and
 * python3-grpc-tools) and calls the server over the v2 and TensorFlow Serving protocols; its answers must equal
 * the Java client's bit for bit. Skipped only where those packages are missing and CI is not set; under CI
 * (.ci/run installs them) a missing package fails the test.
 */
class PythonGrpcClientTest {

    private static final Duration SCRIPT_DEADLINE = Duration.ofSeconds(120);
    private static final float[][] ROWS = {{1, 0}, {0, 2}, {0.25f, -1.5f}};
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path repo;
    @TempDir
    Path work;

    private InferenceServer server;
    private ManagedChannel channel;

    /** The interpreter: $RINGFOLD_PYTHON, else Debian's /usr/bin/python3 (a python3 earlier on the PATH may lack the packages). */
    static String python() {
        String chosen = System.getenv("RINGFOLD_PYTHON");
        if (chosen != null && !chosen.isBlank()) {
            return chosen;
        }
        return Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    }

    /** Null when the toolchain is there, else what is missing. */
    static String missingToolchain(Path work) throws Exception {
        List<String> probe = List.of(python(), "-c", "import grpc, google.protobuf, grpc_tools, shutil, sys; "
                + "sys.exit(0 if shutil.which('protoc') and shutil.which('grpc_python_plugin') else 3)");
        Run r;
        try {
            r = run(probe, work, Duration.ofSeconds(30));
        } catch (java.io.IOException e) {
            return python() + " does not run (" + e.getMessage() + ")";
        }
        return r.exit == 0 ? null : python() + " " + (r.exit == 3 ? "finds no protoc or grpc_python_plugin on the PATH"
                : "cannot import grpc, google.protobuf and grpc_tools: " + r.stderr.strip());
    }

    record Run(int exit, String stdout, String stderr) {
    }

    /** Runs {@code command} with a deadline; stdout and stderr go to files, so neither pipe can fill and block it. */
    static Run run(List<String> command, Path work, Duration deadline) throws Exception {
        Path out = Files.createTempFile(work, "stdout", ".txt");
        Path err = Files.createTempFile(work, "stderr", ".txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError(command + ": still running after " + deadline + "; stderr: " + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @BeforeEach
    void start() throws Exception {
        String missing = missingToolchain(work);
        boolean ci = System.getenv("CI") != null && !System.getenv("CI").isBlank();
        if (missing != null && !ci) {
            Assumptions.abort("the Python gRPC toolchain is missing (" + missing + "): apt-get install python3-grpcio "
                    + "python3-grpc-tools protobuf-compiler protobuf-compiler-grpc; under CI this test fails instead");
        }
        assertThat(missing).as("under CI the Python gRPC toolchain must be installed (.ci/run installs it)").isNull();
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        server = InferenceServer.start(TfServingGrpcEndToEndTest.config(repo));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (server != null) {
            server.shutdown();
        }
    }

    private static String hex(ByteString b) {
        return HexFormat.of().formatHex(b.toByteArray());
    }

    private static String hexOfFloats(List<Float> values) {
        ByteBuffer b = ByteBuffer.allocate(values.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(b::putFloat);
        return HexFormat.of().formatHex(b.array());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.isTextual() ? n.asText() : n.toString()));
        return out;
    }

    @Test
    void pythonClientsGeneratedFromTheProtosGetTheJavaClientsAnswers() throws Exception {
        List<String> command = List.of(python(), Path.of("src/test/python/grpc_clients.py").toAbsolutePath().toString(),
                "--target", "127.0.0.1:" + server.grpcPort(), "--protos", Path.of("src/main/proto").toAbsolutePath().toString(),
                "--model", "iris", "--rows", JSON.writeValueAsString(ROWS));
        Run r = run(command, work, SCRIPT_DEADLINE);
        assertThat(r.exit).as("grpc_clients.py exit status; stderr:\n" + r.stderr).isZero();
        JsonNode py = JSON.readTree(r.stdout);
        System.out.println("PythonGrpcClientTest: grpcio " + py.at("/versions/grpcio").asText() + ", protobuf "
                + py.at("/versions/protobuf").asText());

        // v2: the same answers as the Java stub's, typed and raw.
        assertThat(py.get("server_live").asBoolean()).isTrue();
        JsonNode meta = py.get("model_metadata");
        assertThat(meta.get("name").asText()).isEqualTo("iris");
        assertThat(texts(meta.get("versions"))).containsExactly("1");
        assertThat(meta.get("platform").asText()).isEqualTo("ringfold");
        assertThat(meta.get("inputs").toString()).isEqualTo("[{\"datatype\":\"FP32\",\"name\":\"input\",\"shape\":[-1,2]}]");
        assertThat(meta.get("outputs").toString()).isEqualTo("[{\"datatype\":\"FP32\",\"name\":\"probabilities\",\"shape\":[-1,3]},"
                + "{\"datatype\":\"BYTES\",\"name\":\"class\",\"shape\":[-1]}]");

        InferTensorContents.Builder c = InferTensorContents.newBuilder();
        ByteBuffer raw = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] row : ROWS) {
            for (float v : row) {
                c.addFp32Contents(v);
                raw.putFloat(v);
            }
        }
        ModelInferRequest.InferInputTensor.Builder in = ModelInferRequest.InferInputTensor.newBuilder().setName("input")
                .setDatatype("FP32").addShape(3).addShape(2);
        var v2 = GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
        ModelInferResponse typed = v2.modelInfer(ModelInferRequest.newBuilder().setModelName("iris")
                .addInputs(in.clone().setContents(c)).build());
        JsonNode pyTyped = py.get("infer_typed");
        assertThat(pyTyped.get("id").asText()).isEqualTo("python-typed");
        assertThat(pyTyped.get("model_version").asText()).isEqualTo(typed.getModelVersion());
        assertThat(pyTyped.at("/outputs/0/name").asText()).isEqualTo("probabilities");
        assertThat(pyTyped.at("/outputs/0/data").asText()).isEqualTo(hexOfFloats(typed.getOutputs(0).getContents().getFp32ContentsList()));
        assertThat(texts(pyTyped.at("/outputs/0/shape"))).containsExactly("3", "3");
        assertThat(texts(pyTyped.at("/outputs/1/data"))).containsExactlyElementsOf(
                typed.getOutputs(1).getContents().getBytesContentsList().stream().map(ByteString::toStringUtf8).toList());
        ModelInferResponse rawReply = v2.modelInfer(ModelInferRequest.newBuilder().setModelName("iris").addInputs(in)
                .addRawInputContents(ByteString.copyFrom(raw.array())).build());
        assertThat(texts(py.at("/infer_raw/raw_output_contents"))).containsExactlyElementsOf(
                rawReply.getRawOutputContentsList().stream().map(PythonGrpcClientTest::hex).toList());

        // TensorFlow Serving: Predict's TensorProtos and the metadata's SignatureDef as the Java stub reads them.
        TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(TfServingGrpcEndToEndTest.shape(3, 2));
        for (float[] row : ROWS) {
            for (float v : row) {
                t.addFloatVal(v);
            }
        }
        PredictResponse predict = PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS)
                .predict(PredictRequest.newBuilder().setModelSpec(TfServingGrpcEndToEndTest.spec("iris"))
                        .putInputs("input", t.build()).build());
        JsonNode tf = py.get("tf_predict");
        assertThat(tf.at("/model_spec/name").asText()).isEqualTo("iris");
        assertThat(tf.at("/model_spec/version").asLong()).isEqualTo(1);
        assertThat(tf.at("/model_spec/signature_name").asText()).isEqualTo("serving_default");
        assertThat(tf.at("/outputs/probabilities/dtype").asText()).isEqualTo("DT_FLOAT");
        assertThat(texts(tf.at("/outputs/probabilities/shape"))).containsExactly("3", "3");
        assertThat(tf.at("/outputs/probabilities/tensor_content").asText())
                .isEqualTo(hex(predict.getOutputsOrThrow("probabilities").getTensorContent()))
                .as("the v2 raw output's bits").isEqualTo(hex(rawReply.getRawOutputContents(0)));
        assertThat(tf.at("/outputs/class/dtype").asText()).isEqualTo("DT_STRING");
        assertThat(texts(tf.at("/outputs/class/string_val"))).containsExactlyElementsOf(
                predict.getOutputsOrThrow("class").getStringValList().stream().map(ByteString::toStringUtf8).toList());
        JsonNode sig = py.get("tf_metadata");
        assertThat(sig.at("/model_spec/version").asLong()).isEqualTo(1);
        assertThat(sig.get("method_name").asText()).isEqualTo("tensorflow/serving/predict");
        assertThat(sig.get("inputs").toString()).isEqualTo("{\"input\":{\"dtype\":\"DT_FLOAT\",\"name\":\"input\",\"shape\":[-1,2]}}");
        assertThat(sig.get("outputs").toString()).isEqualTo("{\"class\":{\"dtype\":\"DT_STRING\",\"name\":\"class\",\"shape\":[-1]},"
                + "\"probabilities\":{\"dtype\":\"DT_FLOAT\",\"name\":\"probabilities\",\"shape\":[-1,3]}}");
    }
}
