package io.ringfold.serving.http;

import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.inference.InferenceCall;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.ServedVersion;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;
import java.util.function.Function;

/** {@link InferenceCall} for HTTP replies: the reply records the version that answered, for the access log. */
final class HttpInference {

    private HttpInference() {
    }

    static CompletableFuture<HttpReply> run(ModelRepository repo, InferenceCall.Target t, long arrivedNanos,
                                            Function<ServedVersion, List<Tensor>> decode,
                                            BiFunction<ServedVersion, List<Tensor>, HttpReply> respond) {
        return InferenceCall.run(repo, t, arrivedNanos, decode,
                (sv, out) -> respond.apply(sv, out).servedBy(sv.version()));
    }
}
