package io.ringfold.collective.secagg;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringfold.collective.secagg.SecAggMessage.KeysAdvertised;
import io.ringfold.collective.secagg.SecAggMessage.MaskedInput;
import io.ringfold.collective.secagg.SecAggMessage.SharesDelivered;
import io.ringfold.collective.secagg.SecAggMessage.UnmaskRequest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Secure aggregation in one thread, the messages passed by hand: a server, a client per invited id, and
 * each round as a method that lets a test leave clients out (dropped) or change messages on the way.
 * Clients draw from seeded generators, so a run replays from its seed.
 */
final class Simulation {

    final SecAggParameters parameters;
    final SecAggServer server;
    final Map<Integer, SecAggClient> clients = new TreeMap<>();
    final Map<Integer, long[]> inputs = new TreeMap<>();
    final Map<Integer, MaskedInput> maskedInputs = new TreeMap<>();

    Simulation(SecAggParameters parameters, long seed) {
        this.parameters = parameters;
        this.server = new SecAggServer(parameters);
        SplittableRandom r = new SplittableRandom(seed);
        for (int id : parameters.clients()) {
            clients.put(id, new SecAggClient(parameters, id, seeded(r.nextLong())));
            long[] x = new long[parameters.vectorLength()];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextLong();
            }
            inputs.put(id, x);
        }
    }

    static SecureRandom seeded(long seed) {
        try {
            // SHA1PRNG seeded before its first use is deterministic: a replayable stand-in for the system's generator.
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return random;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    KeysAdvertised advertise(Set<Integer> dropped) {
        for (SecAggClient c : clients.values()) {
            if (!dropped.contains(c.id())) {
                accepted(server.receive(c.advertiseKeys()));
            }
        }
        return server.finishAdvertising();
    }

    /** Round 0 for every client but 0, whose keys a test handed over itself. */
    KeysAdvertised finishAdvertisingWithTheOthers() {
        for (SecAggClient c : clients.values()) {
            if (c.id() != 0) {
                accepted(server.receive(c.advertiseKeys()));
            }
        }
        return server.finishAdvertising();
    }

    Map<Integer, SharesDelivered> share(KeysAdvertised keys, Set<Integer> dropped) {
        for (SecAggMessage.AdvertiseKeys k : keys.keys()) {
            if (!dropped.contains(k.client())) {
                accepted(server.receive(clients.get(k.client()).shareKeys(keys)));
            }
        }
        return server.finishSharing();
    }

    /** Each delivered client's masked input, handed to the server unless it dropped. */
    UnmaskRequest mask(Map<Integer, SharesDelivered> delivered, Set<Integer> dropped) {
        for (SharesDelivered d : delivered.values()) {
            if (!dropped.contains(d.recipient())) {
                MaskedInput y = clients.get(d.recipient()).maskedInput(d, inputs.get(d.recipient()));
                maskedInputs.put(y.client(), y);
                server.receive(y);
            }
        }
        return server.finishMasking();
    }

    AggregationResult unmask(UnmaskRequest request, Set<Integer> dropped) {
        for (int u : request.survivors()) {
            if (!dropped.contains(u)) {
                accepted(server.receive(clients.get(u).unmask(request)));
            }
        }
        return server.finishUnmasking();
    }

    AggregationResult run(Set<Integer> dropBeforeAdvertise, Set<Integer> dropBeforeShare, Set<Integer> dropBeforeMask,
                          Set<Integer> dropBeforeUnmask) {
        return unmask(mask(share(advertise(dropBeforeAdvertise), dropBeforeShare), dropBeforeMask), dropBeforeUnmask);
    }

    AggregationResult run() {
        return run(Set.of(), Set.of(), Set.of(), Set.of());
    }

    /** The plain sum, modulo 2^64, of the inputs of {@code ids}. */
    long[] plainSum(List<Integer> ids) {
        long[] sum = new long[parameters.vectorLength()];
        for (int id : ids) {
            long[] x = inputs.get(id);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += x[i];
            }
        }
        return sum;
    }

    /** The result's sum is the plain sum of the inputs of {@code ids}; a failure names the first element that differs. */
    void assertPlainSum(AggregationResult r, List<Integer> ids, long seed) {
        long[] plain = plainSum(ids);
        int at = java.util.Arrays.mismatch(r.sum(), plain);
        assertThat(at).as("first element that differs from the plain sum of %s (seed %d): %s", ids, seed,
                at < 0 ? "none" : "index " + at + ", " + (at < r.sum().length ? r.sum()[at] : "absent") + " instead of "
                        + (at < plain.length ? plain[at] : "absent")).isEqualTo(-1);
    }

    static List<Integer> without(List<Integer> all, Set<Integer> gone) {
        List<Integer> out = new ArrayList<>(all);
        out.removeAll(gone);
        return out;
    }

    private static void accepted(Receipt r) {
        assertThat(r.accepted()).as("receipt of client %d: %s", r.client(), r.reason()).isTrue();
    }
}
