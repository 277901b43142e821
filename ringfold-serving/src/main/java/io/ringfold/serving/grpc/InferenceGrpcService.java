package io.ringfold.serving.grpc;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.ringfold.model.Provenance;
import io.ringfold.serving.grpc.v2.GRPCInferenceServiceGrpc;
import io.ringfold.serving.grpc.v2.ModelInferRequest;
import io.ringfold.serving.grpc.v2.ModelInferResponse;
import io.ringfold.serving.grpc.v2.ModelMetadataRequest;
import io.ringfold.serving.grpc.v2.ModelMetadataResponse.TensorMetadata;
import io.ringfold.serving.grpc.v2.ModelMetadataResponse;
import io.ringfold.serving.grpc.v2.ModelReadyRequest;
import io.ringfold.serving.grpc.v2.ModelReadyResponse;
import io.ringfold.serving.grpc.v2.RepositoryModelLoadRequest;
import io.ringfold.serving.grpc.v2.RepositoryModelLoadResponse;
import io.ringfold.serving.grpc.v2.RepositoryModelUnloadRequest;
import io.ringfold.serving.grpc.v2.RepositoryModelUnloadResponse;
import io.ringfold.serving.grpc.v2.ServerLiveRequest;
import io.ringfold.serving.grpc.v2.ServerLiveResponse;
import io.ringfold.serving.grpc.v2.ServerMetadataRequest;
import io.ringfold.serving.grpc.v2.ServerMetadataResponse;
import io.ringfold.serving.grpc.v2.ServerReadyRequest;
import io.ringfold.serving.grpc.v2.ServerReadyResponse;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.core.TensorSpec;
import io.ringfold.serving.core.UnavailableException;
import io.ringfold.serving.inference.InferenceCall;
import io.ringfold.serving.inference.ProtocolExtensions;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.RepositoryNames;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code inference.GRPCInferenceService}: the six RPCs of the Open Inference Protocol v2 over the model
 * repository, and KServe's repository RPCs (RepositoryModelLoad, RepositoryModelUnload), which run on the
 * admin executor as HTTP's {@code /v2/repository/models/{m}/load} does, since a load reads and checks files. ModelInfer decodes its tensors straight into {@link Tensor}s ({@link GrpcTensors}) and goes
 * through {@link InferenceCall} exactly like HTTP's {@code /infer}; typed {@code contents} and
 * {@code raw_input_contents} are both accepted, and the answer uses the same form as the request (raw in,
 * {@code raw_output_contents} out; FP16 and BF16 outputs, which have no typed field, make it raw). Failures are gRPC statuses
 * ({@link GrpcStatuses}) with the HTTP messages.
 */
public final class InferenceGrpcService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    private final ModelRepository repo;
    private final BooleanSupplier ready;
    private final Executor admin;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param ready whether the server takes traffic (false while starting and draining)
     * @param admin where repository loads and unloads run, off the transport threads
     */
    public InferenceGrpcService(ModelRepository repo, BooleanSupplier ready, Executor admin) {
        this.repo = repo;
        this.ready = ready;
        this.admin = admin;
    }

    /** ModelInfer calls received and not yet answered. */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        answer(out, () -> ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        answer(out, () -> ServerReadyResponse.newBuilder().setReady(ready.getAsBoolean()).build());
    }

    /** Ready when the server is and the model (or the given version) is serving; NOT_FOUND for unknown models. */
    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        answer(out, () -> {
            String model = RepositoryNames.requireModelName(request.getName());
            Long version = version(request.getVersion());
            repo.states(model); // NOT_FOUND for an unknown model
            boolean ok = ready.getAsBoolean() && (version == null ? !repo.versions(model).isEmpty()
                    : repo.versions(model).containsKey(version));
            return ModelReadyResponse.newBuilder().setReady(ok).build();
        });
    }

    /** The extensions are HTTP's ({@link ProtocolExtensions}). */
    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
        answer(out, () -> ServerMetadataResponse.newBuilder().setName("ringfold").setVersion(Provenance.libraryVersion())
                .addAllExtensions(ProtocolExtensions.ALL).build());
    }

    /**
     * Loads (or reloads) the model now: OK with {@code isLoaded} true once a version serves; NOT_FOUND for a
     * name that is not a model directory; INVALID_ARGUMENT naming the reason when no version loaded or one
     * failed (versions serving before keep serving). Never answers {@code isLoaded} false: a failure is a status.
     */
    @Override
    public void repositoryModelLoad(RepositoryModelLoadRequest request, StreamObserver<RepositoryModelLoadResponse> out) {
        administer(out, request.getModelName(), model -> {
            repo.load(model);
            return RepositoryModelLoadResponse.newBuilder().setModelName(model).setIsLoaded(true).build();
        });
    }

    /** Stops serving every version of the model until it is loaded again; NOT_FOUND for an unknown model. */
    @Override
    public void repositoryModelUnload(RepositoryModelUnloadRequest request,
                                      StreamObserver<RepositoryModelUnloadResponse> out) {
        administer(out, request.getModelName(), model -> {
            repo.unload(model);
            return RepositoryModelUnloadResponse.newBuilder().setModelName(model).setIsUnloaded(true).build();
        });
    }

    /** Runs {@code action} on the admin executor for a valid model name, answering its reply or its failure. */
    private <T> void administer(StreamObserver<T> out, String name, Function<String, T> action) {
        CompletableFuture<T> f;
        try {
            String model = RepositoryNames.requireModelName(name);
            f = CompletableFuture.supplyAsync(() -> action.apply(model), admin);
        } catch (RejectedExecutionException e) {
            f = CompletableFuture.failedFuture(new UnavailableException("model '" + name
                    + "': the server is stopping (expected: a running server)"));
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        GrpcStatuses.answerWhenDone(out, f);
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        answer(out, () -> {
            String model = RepositoryNames.requireModelName(request.getName());
            ModelSignature s = repo.resolve(model, version(request.getVersion()), null).signature();
            ModelMetadataResponse.Builder b = ModelMetadataResponse.newBuilder().setName(model).setPlatform(s.platform());
            for (Long v : repo.versions(model).keySet()) {
                b.addVersions(Long.toString(v));
            }
            s.inputs().forEach(in -> b.addInputs(metadata(in)));
            s.outputs().forEach(o -> b.addOutputs(metadata(o)));
            return b.build();
        });
    }

    private static TensorMetadata metadata(TensorSpec spec) {
        TensorMetadata.Builder t = TensorMetadata.newBuilder().setName(spec.name()).setDatatype(spec.datatype().name());
        for (long d : spec.shape()) {
            t.addShape(d);
        }
        return t.build();
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        inFlight.incrementAndGet();
        CompletableFuture<ModelInferResponse> f;
        try {
            f = infer(request);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((r, e) -> {
            try {
                if (e != null) {
                    out.onError(GrpcStatuses.of(e).asRuntimeException());
                } else {
                    out.onNext(r);
                    out.onCompleted();
                }
            } finally {
                inFlight.decrementAndGet();
            }
        });
    }

    private CompletableFuture<ModelInferResponse> infer(ModelInferRequest req) {
        long arrived = CallArrival.nanos();
        String model = RepositoryNames.requireModelName(req.getModelName());
        Long version = version(req.getModelVersion());
        repo.resolve(model, version, null); // an unknown model or version is NOT_FOUND before the tensors are read
        if (req.getInputsCount() == 0) {
            throw new BadInputException("inputs: 0 tensors (expected: at least 1)");
        }
        boolean raw = req.getRawInputContentsCount() > 0;
        if (raw && req.getRawInputContentsCount() != req.getInputsCount()) {
            throw new BadInputException("raw_input_contents: " + req.getRawInputContentsCount() + " entries (expected: "
                    + req.getInputsCount() + ", one per input tensor)");
        }
        List<Tensor> inputs = new ArrayList<>(req.getInputsCount());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < req.getInputsCount(); i++) {
            Tensor t = GrpcTensors.input(req.getInputs(i), raw ? req.getRawInputContents(i) : null);
            if (!names.add(t.name())) {
                throw new BadInputException("inputs[" + i + "].name: '" + t.name() + "' given twice (expected: each input once)");
            }
            inputs.add(t);
        }
        InferenceCall.Target t = new InferenceCall.Target(model, version, null);
        return InferenceCall.run(repo, t, arrived, sv -> {
            outputNames(sv.signature(), req); // a bad output name is refused before the request is queued
            return inputs;
        }, (sv, result) -> {
            ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(model)
                    .setModelVersion(Long.toString(sv.version())).setId(req.getId());
            if (req.getParametersCount() > 0) {
                b.putAllParameters(req.getParametersMap()); // an empty map still costs a map copy per call
            }
            List<Tensor> outputs = InferenceCall.select(result, outputNames(sv.signature(), req));
            boolean rawOut = raw || outputs.stream().anyMatch(GrpcTensors::rawOnly);
            List<ByteString> rawContents = new ArrayList<>();
            for (Tensor o : outputs) {
                b.addOutputs(GrpcTensors.output(o, rawOut, rawContents));
            }
            return b.addAllRawOutputContents(rawContents).build();
        });
    }

    /** The requested outputs in request order, or all of them. */
    private static List<String> outputNames(ModelSignature s, ModelInferRequest req) {
        if (req.getOutputsCount() == 0) {
            return s.outputNames();
        }
        List<String> names = new ArrayList<>(req.getOutputsCount());
        for (int i = 0; i < req.getOutputsCount(); i++) {
            String name = req.getOutputs(i).getName();
            if (!s.outputNames().contains(name)) {
                throw new BadInputException("outputs[" + i + "].name: '" + name + "' (expected: one of " + s.outputNames() + ")");
            }
            names.add(name);
        }
        return names;
    }

    /** proto3 has no absent string: an empty version means "the server's choice", as a missing one does over HTTP. */
    private static Long version(String v) {
        return v.isEmpty() ? null : RepositoryNames.requireVersion(v);
    }

    private static <T> void answer(StreamObserver<T> out, Supplier<T> reply) {
        T r;
        try {
            r = reply.get();
        } catch (RuntimeException e) {
            out.onError(GrpcStatuses.of(e).asRuntimeException());
            return;
        }
        out.onNext(r);
        out.onCompleted();
    }
}
