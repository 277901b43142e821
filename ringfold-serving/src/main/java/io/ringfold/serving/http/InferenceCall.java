package io.ringfold.serving.http;

import io.ringfold.serving.inference.Outputs;
import io.ringfold.serving.repository.ModelNotFoundException;
import io.ringfold.serving.repository.ModelRepository;
import io.ringfold.serving.repository.ServedVersion;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One inference from either protocol: pick the version, hold it while the request is in flight, decode
 * (validation happens here, before the batcher sees anything), queue, and answer; counted in the
 * version's metrics whatever the outcome.
 */
final class InferenceCall {

    /** The version a request addresses (at most one of version and label set). */
    record Target(String model, Long version, String label) {
    }

    /** Decoded rows: {@code count} rows, preprocessed, row-major. */
    record Rows(float[] values, int count) {
    }

    private InferenceCall() {
    }

    static CompletableFuture<HttpReply> run(ModelRepository repo, Target t, Function<ServedVersion, Rows> decode,
                                            BiFunction<ServedVersion, Outputs, HttpReply> respond) {
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
            HttpReply reply = respond.apply(sv, out).servedBy(sv.version());
            sv.metrics().success(System.nanoTime() - start);
            return reply;
        });
    }

    /** The addressed version, held; a reload between lookup and hold is retried against the new snapshot. */
    static ServedVersion acquire(ModelRepository repo, Target t) {
        for (int attempt = 0; attempt < 3; attempt++) {
            ServedVersion sv = repo.resolve(t.model(), t.version(), t.label());
            if (sv.acquire()) {
                return sv;
            }
        }
        throw new ModelNotFoundException("model '" + t.model() + "': version retired while the request arrived");
    }
}
