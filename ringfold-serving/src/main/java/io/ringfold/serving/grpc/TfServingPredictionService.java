package io.ringfold.serving.grpc;

import com.google.protobuf.Any;
import com.google.protobuf.Int64Value;
import io.grpc.stub.StreamObserver;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.core.TensorSpec;
import io.ringfold.serving.inference.InferenceCall;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.RepositoryNames;
import io.ringfold.serving.repository.ServedVersion;
import org.tensorflow.framework.SignatureDef;
import org.tensorflow.framework.TensorInfo;
import org.tensorflow.framework.TensorProto;
import tensorflow.serving.Classification.Class;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.Classification.ClassificationResponse;
import tensorflow.serving.Classification.ClassificationResult;
import tensorflow.serving.Classification.Classifications;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataResponse;
import tensorflow.serving.GetModelMetadata.SignatureDefMap;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.RegressionOuterClass.Regression;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;
import tensorflow.serving.RegressionOuterClass.RegressionResponse;
import tensorflow.serving.RegressionOuterClass.RegressionResult;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code tensorflow.serving.PredictionService} from TensorFlow Serving's own protos, over the model repository:
 * Predict with TensorProto inputs decoded straight into {@link Tensor}s ({@link TfTensorProtos}), Classify and
 * Regress with {@code tf.Example}s mapped to a model's named columns as the REST API maps its JSON examples
 * ({@link TfExamples}), and GetModelMetadata with the signature as a {@code SignatureDefMap}. Every inference
 * goes through {@link InferenceCall} like the other protocols; failures are gRPC statuses
 * ({@link GrpcStatuses}). MultiInference is not served (UNIMPLEMENTED).
 *
 * <p>A model spec names the model and at most one of version and version_label (else the latest version);
 * its signature_name may be empty or {@value #SIGNATURE}, the one signature a model has here.
 */
public final class TfServingPredictionService extends PredictionServiceGrpc.PredictionServiceImplBase {

    /** The name of a model's one signature, TensorFlow's default serving signature key. */
    static final String SIGNATURE = "serving_default";
    /** The one metadata field TensorFlow Serving defines. */
    static final String SIGNATURE_DEF = "signature_def";
    private static final String PREDICT_METHOD = "tensorflow/serving/predict";

    private final ModelRepository repo;

    public TfServingPredictionService(ModelRepository repo) {
        this.repo = repo;
    }

    @Override
    public void predict(PredictRequest request, StreamObserver<PredictResponse> out) {
        answerLater(out, () -> {
            InferenceCall.Target t = target(request.getModelSpec());
            List<String> filter = request.getOutputFilterList();
            return InferenceCall.run(repo, t, CallArrival.nanos(), sv -> {
                outputNames(sv.signature(), filter); // a bad output name is refused before the request is queued
                return inputs(sv.signature(), request.getInputsMap());
            }, (sv, result) -> {
                PredictResponse.Builder b = PredictResponse.newBuilder().setModelSpec(spec(t.model(), sv));
                for (Tensor o : InferenceCall.select(result, outputNames(sv.signature(), filter))) {
                    b.putOutputs(o.name(), TfTensorProtos.output(o));
                }
                return b.build();
            });
        });
    }

    /** Every input of the signature, in its order; unknown and missing names refused. */
    private static List<Tensor> inputs(ModelSignature s, Map<String, TensorProto> given) {
        for (String name : given.keySet()) {
            if (s.input(name).isEmpty()) {
                throw new BadInputException("inputs: input '" + name + "' unknown (expected: one of " + s.inputNames() + ")");
            }
        }
        List<Tensor> tensors = new ArrayList<>(s.inputs().size());
        for (TensorSpec spec : s.inputs()) {
            TensorProto p = given.get(spec.name());
            if (p == null) {
                throw new BadInputException("inputs: no input '" + spec.name() + "' (expected: every input of "
                        + s.inputNames() + ")");
            }
            tensors.add(TfTensorProtos.input(spec.name(), p));
        }
        return tensors;
    }

    /** The outputs output_filter names, in its order, or all of them when it is empty. */
    private static List<String> outputNames(ModelSignature s, List<String> filter) {
        if (filter.isEmpty()) {
            return s.outputNames();
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < filter.size(); i++) {
            String name = filter.get(i);
            if (s.output(name).isEmpty()) {
                throw new BadInputException("output_filter[" + i + "]: '" + name + "' (expected: one of " + s.outputNames() + ")");
            }
            if (!seen.add(name)) {
                throw new BadInputException("output_filter[" + i + "]: '" + name + "' given twice (expected: each output once)");
            }
        }
        return filter;
    }

    @Override
    public void classify(ClassificationRequest request, StreamObserver<ClassificationResponse> out) {
        answerLater(out, () -> {
            InferenceCall.Target t = target(request.getModelSpec());
            long arrived = CallArrival.nanos();
            return InferenceCall.run(repo, t, arrived, sv -> List.of(examples(sv, t, request.getInput(), true)), (sv, result) -> {
                List<String> names = sv.signature().classNames();
                float[] scores = result.get(0).floats();
                int rows = (int) result.get(0).dim(0);
                ClassificationResult.Builder r = ClassificationResult.newBuilder();
                for (int row = 0; row < rows; row++) {
                    Classifications.Builder c = Classifications.newBuilder();
                    for (int k = 0; k < names.size(); k++) {
                        c.addClasses(Class.newBuilder().setLabel(names.get(k)).setScore(scores[row * names.size() + k]));
                    }
                    r.addClassifications(c);
                }
                return ClassificationResponse.newBuilder().setModelSpec(spec(t.model(), sv)).setResult(r).build();
            });
        });
    }

    @Override
    public void regress(RegressionRequest request, StreamObserver<RegressionResponse> out) {
        answerLater(out, () -> {
            InferenceCall.Target t = target(request.getModelSpec());
            long arrived = CallArrival.nanos();
            return InferenceCall.run(repo, t, arrived, sv -> List.of(examples(sv, t, request.getInput(), false)), (sv, result) -> {
                float[] values = result.get(0).floats();
                RegressionResult.Builder r = RegressionResult.newBuilder();
                for (float v : values) {
                    r.addRegressions(Regression.newBuilder().setValue(v));
                }
                return RegressionResponse.newBuilder().setModelSpec(spec(t.model(), sv)).setResult(r).build();
            });
        });
    }

    /** The examples as the model's input, for a model of named columns that is a classifier (or a regressor). */
    private static Tensor examples(ServedVersion sv, InferenceCall.Target t, Input input, boolean classify) {
        ModelSignature s = sv.signature();
        String rpc = classify ? "Classify" : "Regress";
        if (s.columns().isEmpty() || s.inputs().size() != 1) {
            throw new BadInputException(rpc + ": model '" + t.model() + "' has no named input columns (expected: Predict)");
        }
        boolean classifier = !s.classNames().isEmpty();
        if (classify != classifier) {
            throw new BadInputException(rpc + ": model '" + t.model() + "' is a " + (classifier ? "classifier" : "regressor")
                    + " (expected: " + (classifier ? "Classify or Predict" : "Regress or Predict") + ")");
        }
        return TfExamples.input(s, input);
    }

    @Override
    public void getModelMetadata(GetModelMetadataRequest request, StreamObserver<GetModelMetadataResponse> out) {
        answer(out, () -> {
            InferenceCall.Target t = target(request.getModelSpec());
            if (request.getMetadataFieldCount() == 0) {
                throw new BadInputException("metadata_field: empty (expected: [" + SIGNATURE_DEF + "])");
            }
            for (String f : request.getMetadataFieldList()) {
                if (!SIGNATURE_DEF.equals(f)) {
                    throw new BadInputException("metadata_field: '" + f + "' (expected: " + SIGNATURE_DEF + ")");
                }
            }
            ServedVersion sv = repo.resolve(t.model(), t.version(), t.label());
            ModelSignature s = sv.signature();
            SignatureDef.Builder sig = SignatureDef.newBuilder().setMethodName(PREDICT_METHOD);
            s.inputs().forEach(in -> sig.putInputs(in.name(), tensorInfo(in)));
            s.outputs().forEach(o -> sig.putOutputs(o.name(), tensorInfo(o)));
            SignatureDefMap map = SignatureDefMap.newBuilder().putSignatureDef(SIGNATURE, sig.build()).build();
            return GetModelMetadataResponse.newBuilder().setModelSpec(spec(t.model(), sv))
                    .putMetadata(SIGNATURE_DEF, Any.pack(map)).build();
        });
    }

    private static TensorInfo tensorInfo(TensorSpec spec) {
        return TensorInfo.newBuilder().setName(spec.name()).setDtype(TfTensorProtos.dtype(spec.datatype()))
                .setTensorShape(TfTensorProtos.shapeProto(spec.shape())).build();
    }

    /** The version a model spec addresses; signature_name empty or {@value #SIGNATURE}. */
    static InferenceCall.Target target(ModelSpec spec) {
        String model = RepositoryNames.requireModelName(spec.getName());
        String signature = spec.getSignatureName();
        if (!signature.isEmpty() && !SIGNATURE.equals(signature)) {
            throw new BadInputException("model_spec.signature_name: '" + signature + "' (expected: " + SIGNATURE
                    + " or empty)");
        }
        Long version = spec.hasVersion() ? spec.getVersion().getValue() : null;
        String label = spec.getVersionChoiceCase() == ModelSpec.VersionChoiceCase.VERSION_LABEL ? spec.getVersionLabel() : null;
        return new InferenceCall.Target(model, version, label);
    }

    /** The model spec of a reply: the model, the version that answered and the signature. */
    private static ModelSpec spec(String model, ServedVersion sv) {
        return ModelSpec.newBuilder().setName(model).setVersion(Int64Value.of(sv.version())).setSignatureName(SIGNATURE)
                .build();
    }

    /** Answers with the future's reply, or the status of its failure (thrown now or later). */
    private static <T> void answerLater(StreamObserver<T> out, Supplier<CompletableFuture<T>> reply) {
        CompletableFuture<T> f;
        try {
            f = reply.get();
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        GrpcStatuses.answerWhenDone(out, f);
    }

    /** Answers with the reply, or the status of its failure. */
    static <T> void answer(StreamObserver<T> out, Supplier<T> reply) {
        answerLater(out, () -> CompletableFuture.completedFuture(reply.get()));
    }
}
