package io.ringfold.federated;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfold.collective.secagg.SecAggClient;
import io.ringfold.collective.secagg.SecAggCodec;
import io.ringfold.collective.secagg.SecAggMessage;
import io.ringfold.collective.secagg.SecAggParameters;
import io.ringfold.federated.wire.FederatedException;
import io.ringfold.federated.wire.Message;
import io.ringfold.federated.wire.MessageChannel;
import io.ringfold.federated.wire.MessageType;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * A client's side of a round under secure aggregation ({@link SecAggClient}): its contribution to the exact sum
 * leaves it only masked, and the coordinator's messages are answered in the protocol's order.
 */
final class SecureClientRound {

    private SecureClientRound() {
    }

    /** Runs the protocol for {@code input} as the TASK's {@code secure} header says; waits for each message until the idle deadline. */
    static void run(MessageChannel channel, JsonNode secure, long[] input, long idleNanos) {
        int clients = field(secure, "clients", 2, 1 << 16);
        int threshold = field(secure, "threshold", 1, clients);
        int me = field(secure, "client", 0, clients - 1);
        long session = secure.path("session").asLong();
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            ids.add(i);
        }
        SecAggClient client = new SecAggClient(new SecAggParameters(session, ids, threshold, input.length), me,
                new SecureRandom());
        long maxBody = SecureRound.maxSecureBody(input.length, clients);
        send(channel, client.advertiseKeys());
        send(channel, client.shareKeys((SecAggMessage.KeysAdvertised) next(channel, idleNanos, maxBody,
                SecAggMessage.KeysAdvertised.class)));
        send(channel, client.maskedInput((SecAggMessage.SharesDelivered) next(channel, idleNanos, maxBody,
                SecAggMessage.SharesDelivered.class), input));
        send(channel, client.unmask((SecAggMessage.UnmaskRequest) next(channel, idleNanos, maxBody,
                SecAggMessage.UnmaskRequest.class)));
    }

    private static int field(JsonNode secure, String name, int min, int max) {
        JsonNode v = secure.get(name);
        if (v == null || !v.canConvertToInt() || v.asInt() < min || v.asInt() > max) {
            throw new FederatedException("TASK secure." + name + ": " + v + " (expected: " + min + ".." + max + ")");
        }
        return v.asInt();
    }

    private static void send(MessageChannel channel, SecAggMessage m) {
        channel.send(new Message(MessageType.SECURE, null, SecAggCodec.encode(m)));
    }

    private static SecAggMessage next(MessageChannel channel, long idleNanos, long maxBody, Class<?> expected) {
        Message m = channel.receive(System.nanoTime() + idleNanos, "secure aggregation " + expected.getSimpleName(),
                maxBody);
        if (m.type() != MessageType.SECURE) {
            throw new FederatedException(channel.peer() + ": message " + m.type() + " (expected: SECURE, "
                    + expected.getSimpleName() + ")");
        }
        SecAggMessage s;
        try {
            s = SecAggCodec.decode(m.body());
        } catch (IllegalArgumentException e) {
            throw new FederatedException(channel.peer() + ": malformed secure aggregation message: " + e.getMessage(), e);
        }
        if (!expected.isInstance(s)) {
            throw new FederatedException(channel.peer() + ": secure aggregation message " + s.getClass().getSimpleName()
                    + " (expected: " + expected.getSimpleName() + ")");
        }
        return s;
    }
}
