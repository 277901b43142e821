package io.ringfold.federated;

import io.ringfold.data.Dataset;
import io.ringfold.federated.wire.Message;
import io.ringfold.federated.wire.MessageChannel;
import io.ringfold.federated.wire.MessageType;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * A client's side of the standardisation round ({@link StatisticsRound}): the exact per-feature sum and sum of
 * squares of its raw rows and their count ({@link ExactMoments}), sent in the clear or, when the request carries
 * secure aggregation's header, only masked. (A data set holds finite values only, so every value has its exact
 * place in the limbs.)
 */
final class StatisticsReply {

    private final Dataset data;
    private final Duration idleTimeout;
    private final Consumer<String> log;
    /** Computed once: a client asked again (a coordinator restarted before round 1) sends the same. */
    private long[] moments;

    StatisticsReply(Dataset data, Duration idleTimeout, Consumer<String> log) {
        this.data = data;
        this.idleTimeout = idleTimeout;
        this.log = log;
    }

    void answer(MessageChannel channel, Message request) {
        long t0 = System.nanoTime();
        if (moments == null) {
            moments = ExactMoments.of(data.features());
        }
        boolean secure = request.header().has("secure");
        if (secure) {
            SecureClientRound.run(channel, request.header().get("secure"), moments, idleTimeout.toNanos());
        } else {
            channel.send(Message.withLongs(MessageType.STATISTICS, Message.newHeader(), moments));
        }
        log.accept(String.format(java.util.Locale.ROOT, "statistics round: sum and sum of squares of %d features over "
                + "%d rows sent%s in %.2f s", data.numFeatures(), data.size(), secure ? " masked" : "",
                (System.nanoTime() - t0) / 1e9));
    }
}
