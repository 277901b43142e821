package io.ringfold.serving.inference;

import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.core.UnavailableException;
import io.ringfold.serving.metrics.ServingMetrics;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.ServedVersion;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One inference from any protocol (HTTP or gRPC): pick the version, hold it while the request is in
 * flight, decode the request into tensors, let the backend check and queue them (validation happens before
 * the batcher sees anything), and answer in the protocol's reply type {@code R}; counted in the version's
 * metrics whatever the outcome. The request's duration runs from its arrival, which the protocol gives, so that
 * reading its body (JSON numbers, protobuf fields) counts as the server's time, as it is.
 */
public final class InferenceCall {

    /** The version a request addresses (at most one of version and label set). */
    public record Target(String model, Long version, String label) {
    }

    private InferenceCall() {
    }

    /**
     * @param arrivedNanos when the request reached the server (System.nanoTime), before its body was read
     * @param decode       the request's input tensors, for the held version (whose signature some protocols need)
     * @param respond      the reply, from every output tensor of the model (in signature order)
     */
    public static <R> CompletableFuture<R> run(ModelRepository repo, Target t, long arrivedNanos,
                                               Function<ServedVersion, List<Tensor>> decode,
                                               BiFunction<ServedVersion, List<Tensor>, R> respond) {
        ServedVersion sv = acquire(repo, t);
        ServingMetrics.Series metrics = sv.metrics();
        metrics.started();
        long start = arrivedNanos;
        CompletableFuture<List<Tensor>> pending;
        try {
            pending = sv.infer(decode.apply(sv));
        } catch (RuntimeException e) {
            metrics.failure(System.nanoTime() - start);
            metrics.ended();
            sv.release();
            throw e;
        }
        return pending.handle((out, ex) -> {
            sv.release();
            try {
                if (ex != null) {
                    metrics.failure(System.nanoTime() - start);
                    throw ex instanceof CompletionException c ? c : new CompletionException(ex);
                }
                R reply = respond.apply(sv, out);
                metrics.success(System.nanoTime() - start);
                return reply;
            } finally {
                metrics.ended();
            }
        });
    }

    /** The addressed version, held; a reload between lookup and hold is retried against the new snapshot. */
    public static ServedVersion acquire(ModelRepository repo, Target t) {
        for (int attempt = 0; attempt < 3; attempt++) {
            ServedVersion sv = repo.resolve(t.model(), t.version(), t.label());
            if (sv.acquire()) {
                return sv;
            }
        }
        throw new UnavailableException("model '" + t.model() + "': version retired while the request arrived");
    }

    /** The tensors of {@code all} named in {@code names}, in that order (every name is one of them). */
    public static List<Tensor> select(List<Tensor> all, List<String> names) {
        return names.stream().map(n -> all.stream().filter(o -> o.name().equals(n)).findFirst()
                .orElseThrow(() -> new IllegalStateException("output '" + n + "' not computed"))).toList();
    }
}
