package io.ringfold.serving.grpc;

import io.grpc.stub.StreamObserver;
import io.ringfold.serving.core.ModelNotFoundException;
import io.ringfold.serving.inference.InferenceCall;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.VersionState;
import org.tensorflow.framework.Code;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.GetModelStatusResponse;
import tensorflow.serving.GetModelStatus.ModelVersionStatus;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Status.StatusProto;

import java.util.List;

/**
 * {@code tensorflow.serving.ModelService.GetModelStatus}, as the REST API's {@code GET /v1/models/{m}} answers it:
 * every version the repository knows of the model (or only the one the model spec's version or version_label
 * names), AVAILABLE with status OK while serving, END with the reason it failed to load otherwise.
 * HandleReloadConfigRequest is not served (UNIMPLEMENTED): the repository reloads from its directory.
 */
public final class TfServingModelService extends ModelServiceGrpc.ModelServiceImplBase {

    private final ModelRepository repo;

    public TfServingModelService(ModelRepository repo) {
        this.repo = repo;
    }

    @Override
    public void getModelStatus(GetModelStatusRequest request, StreamObserver<GetModelStatusResponse> out) {
        TfServingPredictionService.answer(out, () -> {
            InferenceCall.Target t = TfServingPredictionService.target(request.getModelSpec());
            List<VersionState> states = repo.states(t.model());
            Long only = t.label() != null ? Long.valueOf(repo.resolve(t.model(), null, t.label()).version()) : t.version();
            GetModelStatusResponse.Builder b = GetModelStatusResponse.newBuilder();
            for (VersionState s : states) {
                if (only != null && s.version() != only) {
                    continue;
                }
                StatusProto status = StatusProto.newBuilder().setErrorCode(s.available() ? Code.OK : Code.UNKNOWN)
                        .setErrorMessage(s.reason()).build();
                b.addModelVersionStatus(ModelVersionStatus.newBuilder().setVersion(s.version())
                        .setState(s.available() ? ModelVersionStatus.State.AVAILABLE : ModelVersionStatus.State.END)
                        .setStatus(status));
            }
            if (b.getModelVersionStatusCount() == 0) {
                throw new ModelNotFoundException("model '" + t.model() + "': version " + only + " not found (versions: "
                        + states.stream().map(VersionState::version).toList() + ")");
            }
            return b.build();
        });
    }
}
