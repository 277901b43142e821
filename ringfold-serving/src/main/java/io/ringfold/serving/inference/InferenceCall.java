package io.ringfold.serving.inference;

import io.ringfold.serving.repository.ModelNotFoundException;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.ServedVersion;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One inference from any protocol (HTTP or gRPC): pick the version, hold it while the request is in
 * flight, decode (validation happens here, before the batcher sees anything), queue, and answer in the
 * protocol's reply type {@code R}; counted in the version's metrics whatever the outcome.
 */
public final class InferenceCall {

    /** The version a request addresses (at most one of version and label set). */
    public record Target(String model, Long version, String label) {
    }

    /** Decoded rows: {@code count} rows, preprocessed, row-major. */
    public record Rows(float[] values, int count) {
    }

    private InferenceCall() {
    }

    public static <R> CompletableFuture<R> run(ModelRepository repo, Target t, Function<ServedVersion, Rows> decode,
                                               BiFunction<ServedVersion, Outputs, R> respond) {
        ServedVersion sv = acquire(repo, t);
        long start = System.nanoTime();
        CompletableFuture<Outputs> pending;
        try {
            Rows rows = decode.apply(sv);
            pending = sv.infer(rows.values(), rows.count());
        } catch (RuntimeException e) {
            sv.metrics().failure(System.nanoTime() - start);
            sv.release();
            throw e;
        }
        return pending.handle((out, ex) -> {
            sv.release();
            if (ex != null) {
                sv.metrics().failure(System.nanoTime() - start);
                throw ex instanceof CompletionException c ? c : new CompletionException(ex);
            }
            R reply = respond.apply(sv, out);
            sv.metrics().success(System.nanoTime() - start);
            return reply;
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
        throw new ModelNotFoundException("model '" + t.model() + "': version retired while the request arrived");
    }
}
