package io.ringfold.serving.grpc;

import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.ringfold.serving.InferenceServer;
import io.ringfold.serving.ServerConfig;
import io.ringfold.serving.TestModels;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.InferTensorContents;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.example.Example;
import org.tensorflow.example.Feature;
import org.tensorflow.example.Features;
import org.tensorflow.example.FloatList;
import org.tensorflow.example.Int64List;
import org.tensorflow.example.BytesList;
import org.tensorflow.framework.Code;
import org.tensorflow.framework.DataType;
import org.tensorflow.framework.SignatureDef;
import org.tensorflow.framework.TensorInfo;
import org.tensorflow.framework.TensorProto;
import org.tensorflow.framework.TensorShapeProto;
import tensorflow.serving.Classification.Class;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.Classification.ClassificationResponse;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataResponse;
import tensorflow.serving.GetModelMetadata.SignatureDefMap;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.GetModelStatusResponse;
import tensorflow.serving.GetModelStatus.ModelVersionStatus;
import tensorflow.serving.InputOuterClass.ExampleList;
import tensorflow.serving.InputOuterClass.ExampleListWithContext;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.PredictionServiceGrpc.PredictionServiceBlockingStub;
import tensorflow.serving.RegressionOuterClass.Regression;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * TensorFlow Serving's gRPC API over real sockets with stubs generated from its own protos: every RPC, beside
 * the v2 service on the same port to check that both answer the same rows with the same bits. Models:
 * "iris", {@link TestModels#softmax} at versions 1 (s = 1) and 2 (s = 2), labels stable = 1 and canary = 2,
 * version 3 a corrupt file (failed to load); "reg", {@link TestModels#linear} (y = 2 x0 - x1 + 0.5, exact in
 * float for the rows used here); "colour", {@link TestModels#colourRegressor} (a BYTES input: a categorical
 * column colour and a number x, y = 1 (blue) or 2 (red) + 10 x + 0.5).
 */
class TfServingGrpcEndToEndTest {

    /** Rows exact in float. */
    private static final float[][] ROWS = {{1, 0}, {0, 2}, {0.25f, -1.5f}};

    @TempDir
    Path repo;
    @TempDir
    Path secrets;

    private InferenceServer server;
    private ManagedChannel channel;
    private PredictionServiceBlockingStub tf;

    @BeforeEach
    void start() throws Exception {
        TestModels.write(repo, "iris", 1, TestModels.softmax(1));
        TestModels.write(repo, "iris", 2, TestModels.softmax(2));
        TestModels.writeCorrupt(repo, "iris", 3);
        Files.writeString(repo.resolve("iris/config.json"),
                "{\"version_policy\": {\"all\": {}}, \"version_labels\": {\"stable\": 1, \"canary\": 2}}");
        TestModels.write(repo, "reg", 1, TestModels.linear());
        TestModels.write(repo, "colour", 1, TestModels.colourRegressor("error"));
        server = InferenceServer.start(config(repo));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
        tf = PredictionServiceGrpc.newBlockingStub(channel);
    }

    /** Free ports on localhost, no polling, batches of one, no drain: the test's server. */
    static ServerConfig config(Path repo) {
        return ServerConfig.defaults(repo).withDrainPeriod(Duration.ZERO).withHost("127.0.0.1").withPort(0).withGrpcPort(0)
                .withPollSeconds(0).withBatching(new BatchingConfig(true, 1, 0, 1, 1)).withMaxBodyBytes(64 << 10)
                .withGracePeriod(Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdown();
    }

    private PredictionServiceBlockingStub call() {
        return tf.withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    static ModelSpec spec(String model) {
        return ModelSpec.newBuilder().setName(model).build();
    }

    static TensorShapeProto shape(long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        return s.build();
    }

    static TensorProto.Builder floatVal(float[][] rows) {
        TensorProto.Builder t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(rows.length, rows[0].length));
        for (float[] r : rows) {
            for (float v : r) {
                t.addFloatVal(v);
            }
        }
        return t;
    }

    static ByteString littleEndian(float[][] rows) {
        ByteBuffer b = ByteBuffer.allocate(rows.length * rows[0].length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] r : rows) {
            for (float v : r) {
                b.putFloat(v);
            }
        }
        return ByteString.copyFrom(b.array());
    }

    static float[] floats(ByteString raw) {
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] f = new float[raw.size() / 4];
        for (int i = 0; i < f.length; i++) {
            f[i] = b.getFloat();
        }
        return f;
    }

    private static PredictRequest.Builder predict(String model, TensorProto.Builder input) {
        return PredictRequest.newBuilder().setModelSpec(spec(model)).putInputs("input", input.build());
    }

    private static StatusRuntimeException refused(Executable call) {
        return catchThrowableOfType(StatusRuntimeException.class, () -> {
            try {
                call.execute();
            } catch (RuntimeException e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        });
    }

    private static void assertRefused(StatusRuntimeException e, Status.Code code, String description) {
        assertThat(e).as("refused").isNotNull();
        assertThat(e.getStatus().getCode()).as(e.getStatus().toString()).isEqualTo(code);
        assertThat(e.getStatus().getDescription()).isEqualTo(description);
    }

    /** The v2 service's answer for the same rows, typed and raw, on the same port. */
    private ModelInferResponse v2(String model, float[][] rows, boolean raw) {
        ModelInferRequest.InferInputTensor.Builder in = ModelInferRequest.InferInputTensor.newBuilder().setName("input")
                .setDatatype("FP32").addShape(rows.length).addShape(rows[0].length);
        ModelInferRequest.Builder r = ModelInferRequest.newBuilder().setModelName(model);
        if (raw) {
            r.addInputs(in).addRawInputContents(littleEndian(rows));
        } else {
            InferTensorContents.Builder c = InferTensorContents.newBuilder();
            for (float[] row : rows) {
                for (float v : row) {
                    c.addFp32Contents(v);
                }
            }
            r.addInputs(in.setContents(c));
        }
        return GRPCInferenceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS).modelInfer(r.build());
    }

    @Test
    void predictAnswersTheV2ServicesBitsForTheSameRows() {
        PredictResponse typed = call().predict(predict("iris", floatVal(ROWS)).build());
        PredictResponse content = call().predict(predict("iris", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(shape(3, 2)).setTensorContent(littleEndian(ROWS))).build());
        assertThat(content).as("tensor_content and float_val inputs answer alike").isEqualTo(typed);
        assertThat(typed.getModelSpec().getName()).isEqualTo("iris");
        assertThat(typed.getModelSpec().getVersion().getValue()).as("the latest serving version").isEqualTo(2);
        assertThat(typed.getModelSpec().getSignatureName()).isEqualTo("serving_default");
        assertThat(typed.getOutputsMap()).containsOnlyKeys("probabilities", "class");

        TensorProto p = typed.getOutputsOrThrow("probabilities");
        assertThat(p.getDtype()).isEqualTo(DataType.DT_FLOAT);
        assertThat(p.getTensorShape()).isEqualTo(shape(3, 3));
        assertThat(p.getFloatValCount()).as("numbers travel in tensor_content").isZero();
        ModelInferResponse raw = v2("iris", ROWS, true);
        assertThat(p.getTensorContent()).as("bit for bit the v2 raw output").isEqualTo(raw.getRawOutputContents(0));
        ModelInferResponse v2 = v2("iris", ROWS, false);
        float[] tfProbabilities = floats(p.getTensorContent());
        List<Float> v2Probabilities = v2.getOutputs(0).getContents().getFp32ContentsList();
        assertThat(tfProbabilities).hasSize(9);
        for (int i = 0; i < 9; i++) {
            assertThat(Float.floatToRawIntBits(tfProbabilities[i])).isEqualTo(Float.floatToRawIntBits(v2Probabilities.get(i)));
        }

        TensorProto c = typed.getOutputsOrThrow("class");
        assertThat(c.getDtype()).isEqualTo(DataType.DT_STRING);
        assertThat(c.getTensorShape()).isEqualTo(shape(3));
        assertThat(c.getStringValList()).isEqualTo(v2.getOutputs(1).getContents().getBytesContentsList());
        // Logits (s x0, s x1, -s x0): row (0.25, -1.5) has (0.25 s, -1.5 s, -0.25 s), so class a.
        assertThat(c.getStringValList()).extracting(ByteString::toStringUtf8).containsExactly("a", "b", "a");
    }

    @Test
    void otherNumericDtypesAndOutputFilter() {
        TensorProto.Builder doubles = TensorProto.newBuilder().setDtype(DataType.DT_DOUBLE).setTensorShape(shape(1, 2))
                .addDoubleVal(0.25).addDoubleVal(-1.5);
        TensorProto.Builder ints = TensorProto.newBuilder().setDtype(DataType.DT_INT64).setTensorShape(shape(1, 2))
                .addInt64Val(1).addInt64Val(0);
        PredictResponse d = call().predict(predict("reg", doubles).build());
        assertThat(floats(d.getOutputsOrThrow("value").getTensorContent())).containsExactly(2 * 0.25f + 1.5f + 0.5f);
        PredictResponse i = call().predict(predict("reg", ints).build());
        assertThat(floats(i.getOutputsOrThrow("value").getTensorContent())).containsExactly(2.5f);
        assertThat(i.getOutputsOrThrow("value").getTensorShape()).isEqualTo(shape(1));

        PredictResponse onlyClass = call().predict(predict("iris", floatVal(ROWS)).addOutputFilter("class").build());
        assertThat(onlyClass.getOutputsMap()).containsOnlyKeys("class");
        assertRefused(refused(() -> call().predict(predict("iris", floatVal(ROWS)).addOutputFilter("logits").build())),
                Status.Code.INVALID_ARGUMENT, "output_filter[0]: 'logits' (expected: one of [probabilities, class])");
        assertRefused(refused(() -> call().predict(predict("iris", floatVal(ROWS)).addOutputFilter("class")
                .addOutputFilter("class").build())), Status.Code.INVALID_ARGUMENT,
                "output_filter[1]: 'class' given twice (expected: each output once)");
    }

    @Test
    void versionAndVersionLabelAddressing() {
        float[] v1 = floats(call().predict(predict("iris", floatVal(ROWS)).setModelSpec(ModelSpec.newBuilder().setName("iris")
                .setVersion(Int64Value.of(1))).build()).getOutputsOrThrow("probabilities").getTensorContent());
        PredictResponse stable = call().predict(predict("iris", floatVal(ROWS)).setModelSpec(ModelSpec.newBuilder()
                .setName("iris").setVersionLabel("stable")).build());
        PredictResponse canary = call().predict(predict("iris", floatVal(ROWS)).setModelSpec(ModelSpec.newBuilder()
                .setName("iris").setVersionLabel("canary")).build());
        assertThat(stable.getModelSpec().getVersion().getValue()).isEqualTo(1);
        assertThat(canary.getModelSpec().getVersion().getValue()).isEqualTo(2);
        assertThat(floats(stable.getOutputsOrThrow("probabilities").getTensorContent())).containsExactly(v1);
        assertThat(floats(canary.getOutputsOrThrow("probabilities").getTensorContent()))
                .as("version 2 has other weights").isNotEqualTo(v1);

        assertRefused(refused(() -> call().predict(predict("iris", floatVal(ROWS)).setModelSpec(ModelSpec.newBuilder()
                .setName("iris").setVersion(Int64Value.of(7))).build())), Status.Code.NOT_FOUND,
                "model 'iris': version 7 not serving (serving: [1, 2])");
        assertRefused(refused(() -> call().predict(predict("iris", floatVal(ROWS)).setModelSpec(ModelSpec.newBuilder()
                .setName("iris").setVersionLabel("beta")).build())), Status.Code.NOT_FOUND,
                "model 'iris': label 'beta' unknown (labels: {canary=2, stable=1})");
        assertRefused(refused(() -> call().predict(predict("iris", floatVal(ROWS)).setModelSpec(ModelSpec.newBuilder()
                .setName("iris").setSignatureName("predict_images")).build())), Status.Code.INVALID_ARGUMENT,
                "model_spec.signature_name: 'predict_images' (expected: serving_default or empty)");
    }

    @Test
    void badInputsAreRefusedNamingTheTensor() {
        assertRefused(refused(() -> call().predict(predict("nope", floatVal(ROWS)).build())), Status.Code.NOT_FOUND,
                "model 'nope': not in the repository (models: [colour, iris, reg])");
        assertRefused(refused(() -> call().predict(predict("iris", TensorProto.newBuilder().setDtype(DataType.DT_COMPLEX64)
                .setTensorShape(shape(1, 2)).addScomplexVal(1).addScomplexVal(0)).build())), Status.Code.INVALID_ARGUMENT,
                "input 'input': dtype DT_COMPLEX64 (expected: one of [DT_BOOL, DT_UINT8, DT_UINT16, DT_UINT32, DT_UINT64, "
                        + "DT_INT8, DT_INT16, DT_INT32, DT_INT64, DT_HALF, DT_BFLOAT16, DT_FLOAT, DT_DOUBLE, DT_STRING])");
        assertRefused(refused(() -> call().predict(predict("iris", TensorProto.newBuilder().setDtype(DataType.DT_STRING)
                .setTensorShape(shape(1, 2)).addStringVal(ByteString.copyFromUtf8("1")).addStringVal(ByteString.copyFromUtf8("0")))
                .build())), Status.Code.INVALID_ARGUMENT,
                "input 'input': datatype BYTES (expected: FP32 or another numeric type)");
        assertRefused(refused(() -> call().predict(predict("iris", floatVal(ROWS).setTensorShape(shape(2, 2))).build())),
                Status.Code.INVALID_ARGUMENT, "input 'input': float_val has 6 values (expected: 4 for tensor_shape [2, 2])");
        assertRefused(refused(() -> call().predict(predict("iris", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(shape(1_000_000, 1_000_000)).addFloatVal(1)).build())), Status.Code.INVALID_ARGUMENT,
                "input 'input': tensor_shape [1000000, 1000000] (expected: at most 2147483647 elements)");
        assertRefused(refused(() -> call().predict(predict("iris", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(shape(3, 2)).setTensorContent(littleEndian(ROWS).substring(4))).build())),
                Status.Code.INVALID_ARGUMENT,
                "input 'input': 20 bytes of raw data (expected: 24, 6 elements of 4 bytes for datatype FP32)");
        assertRefused(refused(() -> call().predict(predict("iris", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(shape(1, 2)).addInt64Val(1).addInt64Val(0)).build())), Status.Code.INVALID_ARGUMENT,
                "input 'input': int64_val set for dtype DT_FLOAT (expected: float_val or tensor_content)");
        assertRefused(refused(() -> call().predict(predict("iris", floatVal(ROWS).setTensorContent(littleEndian(ROWS))).build())),
                Status.Code.INVALID_ARGUMENT, "input 'input': both tensor_content and float_val set (expected: one of them)");
        assertRefused(refused(() -> call().predict(predict("iris", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(shape(3, 2)).addFloatVal(1)).build())), Status.Code.INVALID_ARGUMENT,
                "input 'input': float_val has 1 values (expected: 6 for tensor_shape [3, 2])");
        assertRefused(refused(() -> call().predict(predict("iris", TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(shape(1, -1)).addFloatVal(1)).build())), Status.Code.INVALID_ARGUMENT,
                "input 'input': tensor_shape.dim[1].size is -1 (expected: a non-negative integer)");
        assertRefused(refused(() -> call().predict(predict("iris", TensorProto.newBuilder().setDtype(DataType.DT_INT8)
                .setTensorShape(shape(1, 2)).addIntVal(1).addIntVal(300)).build())), Status.Code.INVALID_ARGUMENT,
                "input 'input': int_val[1] is 300 (expected: an integer from -128 to 127 for dtype DT_INT8)");
        assertRefused(refused(() -> call().predict(predict("iris", floatVal(new float[][] {{1, 2, 3}})).build())),
                Status.Code.INVALID_ARGUMENT, "input 'input': shape [1, 3] (expected: [rows, 2], the model's 2 input columns)");
        assertRefused(refused(() -> call().predict(predict("iris", floatVal(ROWS)).putInputs("x", floatVal(ROWS).build()).build())),
                Status.Code.INVALID_ARGUMENT, "inputs: input 'x' unknown (expected: one of [input])");
        assertRefused(refused(() -> call().predict(PredictRequest.newBuilder().setModelSpec(spec("iris")).build())),
                Status.Code.INVALID_ARGUMENT, "inputs: no input 'input' (expected: every input of [input])");
        // Still serving after every refusal.
        assertThat(call().predict(predict("iris", floatVal(ROWS)).build()).getOutputsMap()).hasSize(2);
    }

    @Test
    void anUnparsableMessageIsInvalidArgumentNamingTheRequestType() {
        MethodDescriptor<byte[], byte[]> rawPredict = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.UNARY)
                .setFullMethodName(PredictionServiceGrpc.getPredictMethod().getFullMethodName())
                .setRequestMarshaller(new RawBytes())
                .setResponseMarshaller(new RawBytes()).build();
        // Field 1 (model_spec) as a length-delimited value longer than the message.
        StatusRuntimeException e = refused(() -> ClientCalls.blockingUnaryCall(channel, rawPredict,
                CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS), new byte[] {0x0a, 0x7f, 0x01}));
        assertRefused(e, Status.Code.INVALID_ARGUMENT, "Predict request: not a valid protobuf message (expected: a serialized "
                + "PredictRequest of tensorflow_serving/apis/predict.proto)");
    }

    static Feature floatFeature(float v) {
        return Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(v)).build();
    }

    static Example example(float x0, float x1) {
        return Example.newBuilder().setFeatures(Features.newBuilder().putFeature("x0", floatFeature(x0))
                .putFeature("x1", floatFeature(x1))).build();
    }

    private static Input examples(Example... e) {
        return Input.newBuilder().setExampleList(ExampleList.newBuilder().addAllExamples(List.of(e))).build();
    }

    @Test
    void classifyScoresEveryClassAsPredictsProbabilities() {
        ClassificationResponse r = call().classify(ClassificationRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("iris").setVersion(Int64Value.of(1)))
                .setInput(examples(example(1, 0), example(0, 2), example(0.25f, -1.5f))).build());
        assertThat(r.getModelSpec().getVersion().getValue()).isEqualTo(1);
        float[] probabilities = floats(call().predict(predict("iris", floatVal(ROWS)).setModelSpec(ModelSpec.newBuilder()
                .setName("iris").setVersion(Int64Value.of(1))).build()).getOutputsOrThrow("probabilities").getTensorContent());
        assertThat(r.getResult().getClassificationsCount()).isEqualTo(3);
        for (int row = 0; row < 3; row++) {
            List<Class> classes = r.getResult().getClassifications(row).getClassesList();
            assertThat(classes).extracting(Class::getLabel).containsExactly("a", "b", "c");
            for (int k = 0; k < 3; k++) {
                assertThat(Float.floatToRawIntBits(classes.get(k).getScore()))
                        .isEqualTo(Float.floatToRawIntBits(probabilities[row * 3 + k]));
            }
        }

        // The context fills the features an example leaves out; an int64 value is a number like a float one.
        Example onlyX0 = Example.newBuilder().setFeatures(Features.newBuilder().putFeature("x0",
                Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(1)).build())).build();
        Example context = Example.newBuilder().setFeatures(Features.newBuilder().putFeature("x1", floatFeature(0))).build();
        ClassificationResponse withContext = call().classify(ClassificationRequest.newBuilder()
                .setModelSpec(ModelSpec.newBuilder().setName("iris").setVersion(Int64Value.of(1)))
                .setInput(Input.newBuilder().setExampleListWithContext(ExampleListWithContext.newBuilder()
                        .addExamples(onlyX0).setContext(context))).build());
        assertThat(withContext.getResult().getClassifications(0)).isEqualTo(r.getResult().getClassifications(0));
    }

    @Test
    void regressAnswersTheLinearModelsValues() {
        RegressionRequest req = RegressionRequest.newBuilder().setModelSpec(spec("reg"))
                .setInput(examples(example(1, 0), example(0, 2), example(0.25f, -1.5f))).build();
        assertThat(call().regress(req).getResult().getRegressionsList()).extracting(Regression::getValue)
                .containsExactly(2.5f, -1.5f, 2.5f);
        assertThat(call().regress(req).getModelSpec().getName()).isEqualTo("reg");
    }

    @Test
    void regressReadsEveryFeatureKindForAModelWithCategoricalColumns() {
        Feature blue = Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(ByteString.copyFromUtf8("blue"))).build();
        Feature red = Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(ByteString.copyFromUtf8("red"))).build();
        Example a = Example.newBuilder().setFeatures(Features.newBuilder().putFeature("colour", blue)
                .putFeature("x", floatFeature(1))).build();
        Example b = Example.newBuilder().setFeatures(Features.newBuilder().putFeature("colour", red)
                .putFeature("x", Feature.newBuilder().setInt64List(Int64List.newBuilder().addValue(2)).build())).build();
        Example c = Example.newBuilder().setFeatures(Features.newBuilder().putFeature("x", floatFeature(0.25f))).build();
        Example context = Example.newBuilder().setFeatures(Features.newBuilder().putFeature("colour", red)).build();
        RegressionRequest req = RegressionRequest.newBuilder().setModelSpec(spec("colour"))
                .setInput(Input.newBuilder().setExampleListWithContext(ExampleListWithContext.newBuilder()
                        .addExamples(a).addExamples(b).addExamples(c).setContext(context))).build();
        assertThat(call().regress(req).getResult().getRegressionsList()).extracting(Regression::getValue)
                .containsExactly(11.5f, 22.5f, 5f);
        Example green = Example.newBuilder().setFeatures(Features.newBuilder().putFeature("colour", Feature.newBuilder()
                .setBytesList(BytesList.newBuilder().addValue(ByteString.copyFromUtf8("green"))).build())
                .putFeature("x", floatFeature(1))).build();
        StatusRuntimeException e = refused(() -> call().regress(RegressionRequest.newBuilder().setModelSpec(spec("colour"))
                .setInput(examples(green)).build()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(e.getStatus().getDescription()).contains("green");
    }

    @Test
    void everyRpcNeedsTheTokenWhenOneIsSet() throws Exception {
        Path token = Files.writeString(secrets.resolve("token"), "tf-Token.7\n");
        InferenceServer guarded = InferenceServer.start(config(repo).withAuthTokenFile(token));
        ManagedChannel c = NettyChannelBuilder.forAddress("127.0.0.1", guarded.grpcPort()).usePlaintext().build();
        try {
            PredictionServiceBlockingStub none = PredictionServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS);
            assertThat(refused(() -> none.predict(predict("iris", floatVal(ROWS)).build())).getStatus().getCode())
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(refused(() -> ModelServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS)
                    .getModelStatus(GetModelStatusRequest.newBuilder().setModelSpec(spec("iris")).build())).getStatus().getCode())
                    .isEqualTo(Status.Code.UNAUTHENTICATED);
            io.grpc.Metadata md = new io.grpc.Metadata();
            md.put(BearerAuthInterceptor.AUTHORIZATION, "Bearer tf-Token.7");
            PredictResponse r = none.withInterceptors(io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(md))
                    .predict(predict("iris", floatVal(ROWS)).build());
            assertThat(r.getOutputsMap()).containsOnlyKeys("probabilities", "class");
        } finally {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            guarded.shutdown();
        }
    }

    @Test
    void classifyAndRegressRefuseTheWrongModelAndBadExamples() {
        assertRefused(refused(() -> call().classify(ClassificationRequest.newBuilder().setModelSpec(spec("reg"))
                .setInput(examples(example(1, 0))).build())), Status.Code.INVALID_ARGUMENT,
                "Classify: model 'reg' is a regressor (expected: Regress or Predict)");
        assertRefused(refused(() -> call().regress(RegressionRequest.newBuilder().setModelSpec(spec("iris"))
                .setInput(examples(example(1, 0))).build())), Status.Code.INVALID_ARGUMENT,
                "Regress: model 'iris' is a classifier (expected: Classify or Predict)");
        assertRefused(refused(() -> call().classify(ClassificationRequest.newBuilder().setModelSpec(spec("nope"))
                .setInput(examples(example(1, 0))).build())), Status.Code.NOT_FOUND, "model 'nope': not in the repository (models: [colour, iris, reg])");
        Example extra = example(1, 0).toBuilder().setFeatures(example(1, 0).getFeatures().toBuilder()
                .putFeature("x2", floatFeature(1))).build();
        assertRefused(refused(() -> call().regress(RegressionRequest.newBuilder().setModelSpec(spec("reg"))
                .setInput(examples(example(1, 0), extra)).build())), Status.Code.INVALID_ARGUMENT,
                "examples[1]: feature 'x2' unknown (expected: one of [x0, x1])");
        Example missing = Example.newBuilder().setFeatures(Features.newBuilder().putFeature("x0", floatFeature(1))).build();
        assertRefused(refused(() -> call().regress(RegressionRequest.newBuilder().setModelSpec(spec("reg"))
                .setInput(examples(missing)).build())), Status.Code.INVALID_ARGUMENT,
                "examples[0]: feature 'x1' missing (expected: in the example or the context)");
        Example text = Example.newBuilder().setFeatures(Features.newBuilder().putFeature("x0", floatFeature(1)).putFeature("x1",
                Feature.newBuilder().setBytesList(BytesList.newBuilder().addValue(ByteString.copyFromUtf8("2"))).build())).build();
        assertRefused(refused(() -> call().regress(RegressionRequest.newBuilder().setModelSpec(spec("reg"))
                .setInput(examples(text)).build())), Status.Code.INVALID_ARGUMENT,
                "examples[0]: feature 'x1': bytes_list (expected: float_list or int64_list, the model's columns are numeric)");
        Example two = Example.newBuilder().setFeatures(Features.newBuilder().putFeature("x0", floatFeature(1)).putFeature("x1",
                Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(1).addValue(2)).build())).build();
        assertRefused(refused(() -> call().regress(RegressionRequest.newBuilder().setModelSpec(spec("reg"))
                .setInput(examples(two)).build())), Status.Code.INVALID_ARGUMENT,
                "examples[0]: feature 'x1': 2 values (expected: 1, a column holds one value per example)");
        assertRefused(refused(() -> call().regress(RegressionRequest.newBuilder().setModelSpec(spec("reg"))
                .setInput(examples()).build())), Status.Code.INVALID_ARGUMENT, "input: 0 examples (expected: at least 1)");
        assertRefused(refused(() -> call().regress(RegressionRequest.newBuilder().setModelSpec(spec("reg")).build())),
                Status.Code.INVALID_ARGUMENT, "input: neither example_list nor example_list_with_context set "
                        + "(expected: one of them)");
    }

    @Test
    void getModelMetadataAnswersTheSignatureDef() throws Exception {
        GetModelMetadataResponse r = call().getModelMetadata(GetModelMetadataRequest.newBuilder().setModelSpec(spec("iris"))
                .addMetadataField("signature_def").build());
        assertThat(r.getModelSpec().getName()).isEqualTo("iris");
        assertThat(r.getModelSpec().getVersion().getValue()).isEqualTo(2);
        assertThat(r.getMetadataOrThrow("signature_def").getTypeUrl())
                .isEqualTo("type.googleapis.com/tensorflow.serving.SignatureDefMap");
        SignatureDef sig = r.getMetadataOrThrow("signature_def").unpack(SignatureDefMap.class)
                .getSignatureDefOrThrow("serving_default");
        assertThat(sig.getMethodName()).isEqualTo("tensorflow/serving/predict");
        assertThat(sig.getInputsMap()).containsOnlyKeys("input");
        TensorInfo in = sig.getInputsOrThrow("input");
        assertThat(in.getName()).isEqualTo("input");
        assertThat(in.getDtype()).isEqualTo(DataType.DT_FLOAT);
        assertThat(in.getTensorShape()).isEqualTo(shape(-1, 2));
        assertThat(sig.getOutputsOrThrow("probabilities").getTensorShape()).isEqualTo(shape(-1, 3));
        assertThat(sig.getOutputsOrThrow("class").getDtype()).isEqualTo(DataType.DT_STRING);
        assertThat(sig.getOutputsOrThrow("class").getTensorShape()).isEqualTo(shape(-1));

        assertThat(call().getModelMetadata(GetModelMetadataRequest.newBuilder().setModelSpec(ModelSpec.newBuilder()
                .setName("iris").setVersionLabel("stable")).addMetadataField("signature_def").build())
                .getModelSpec().getVersion().getValue()).isEqualTo(1);
        assertRefused(refused(() -> call().getModelMetadata(GetModelMetadataRequest.newBuilder().setModelSpec(spec("iris")).build())),
                Status.Code.INVALID_ARGUMENT, "metadata_field: empty (expected: [signature_def])");
        assertRefused(refused(() -> call().getModelMetadata(GetModelMetadataRequest.newBuilder().setModelSpec(spec("iris"))
                .addMetadataField("signature_def").addMetadataField("assets").build())), Status.Code.INVALID_ARGUMENT,
                "metadata_field: 'assets' (expected: signature_def)");
        assertRefused(refused(() -> call().getModelMetadata(GetModelMetadataRequest.newBuilder().setModelSpec(spec("nope"))
                .addMetadataField("signature_def").build())), Status.Code.NOT_FOUND, "model 'nope': not in the repository (models: [colour, iris, reg])");
    }

    @Test
    void getModelStatusListsServingAndFailedVersions() {
        ModelServiceGrpc.ModelServiceBlockingStub models = ModelServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(20, TimeUnit.SECONDS);
        GetModelStatusResponse all = models.getModelStatus(GetModelStatusRequest.newBuilder().setModelSpec(spec("iris")).build());
        assertThat(all.getModelVersionStatusList()).extracting(ModelVersionStatus::getVersion).containsExactly(1L, 2L, 3L);
        for (ModelVersionStatus s : all.getModelVersionStatusList().subList(0, 2)) {
            assertThat(s.getState()).isEqualTo(ModelVersionStatus.State.AVAILABLE);
            assertThat(s.getStatus().getErrorCode()).isEqualTo(Code.OK);
            assertThat(s.getStatus().getErrorMessage()).isEmpty();
        }
        ModelVersionStatus failed = all.getModelVersionStatus(2);
        assertThat(failed.getState()).isEqualTo(ModelVersionStatus.State.END);
        assertThat(failed.getStatus().getErrorCode()).isEqualTo(Code.UNKNOWN);
        assertThat(failed.getStatus().getErrorMessage()).isNotEmpty();

        assertThat(models.getModelStatus(GetModelStatusRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("iris")
                .setVersion(Int64Value.of(1))).build()).getModelVersionStatusList()).extracting(ModelVersionStatus::getVersion)
                .containsExactly(1L);
        assertThat(models.getModelStatus(GetModelStatusRequest.newBuilder().setModelSpec(ModelSpec.newBuilder().setName("iris")
                .setVersionLabel("canary")).build()).getModelVersionStatusList()).extracting(ModelVersionStatus::getVersion)
                .containsExactly(2L);
        assertRefused(refused(() -> models.getModelStatus(GetModelStatusRequest.newBuilder().setModelSpec(ModelSpec.newBuilder()
                .setName("iris").setVersion(Int64Value.of(9))).build())), Status.Code.NOT_FOUND,
                "model 'iris': version 9 not found (versions: [1, 2, 3])");
        assertRefused(refused(() -> models.getModelStatus(GetModelStatusRequest.newBuilder().setModelSpec(spec("nope")).build())),
                Status.Code.NOT_FOUND, "model 'nope': not in the repository (models: [colour, iris, reg])");
    }

    @Test
    void unservedRpcsAreUnimplemented() {
        StatusRuntimeException e = refused(() -> call().multiInference(tensorflow.serving.Inference.MultiInferenceRequest
                .getDefaultInstance()));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }
}
