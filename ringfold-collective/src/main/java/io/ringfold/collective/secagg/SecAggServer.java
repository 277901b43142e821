package io.ringfold.collective.secagg;

import io.ringfold.collective.secagg.SecAggMessage.AdvertiseKeys;
import io.ringfold.collective.secagg.SecAggMessage.ClientMessage;
import io.ringfold.collective.secagg.SecAggMessage.EncryptedShare;
import io.ringfold.collective.secagg.SecAggMessage.KeysAdvertised;
import io.ringfold.collective.secagg.SecAggMessage.MaskedInput;
import io.ringfold.collective.secagg.SecAggMessage.ShareKeys;
import io.ringfold.collective.secagg.SecAggMessage.SharesDelivered;
import io.ringfold.collective.secagg.SecAggMessage.UnmaskRequest;
import io.ringfold.collective.secagg.SecAggMessage.UnmaskResponse;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The server's side of secure aggregation (Bonawitz et al. 2017; see {@link SecAggClient}), as a state
 * machine: the caller hands it each client message with {@link #receive} and, when a round's messages are
 * in (or its deadline passed: {@link #pending()} says who is still awaited), closes the round with
 * {@code finish...}, which returns the messages to carry to the clients. In order: {@link #finishAdvertising},
 * {@link #finishSharing}, {@link #finishMasking}, {@link #finishUnmasking}, the last giving the sum.
 *
 * <p>A message from a client that is not invited is refused. A message of another session, of another round
 * than the current one, a second message in one round, or one whose content is malformed (a vector of the
 * wrong length, shares not addressed to every client, a revealed share that does not match its commitment)
 * is refused and its sender excluded: from then on it counts as dropped, and the round goes on without it.
 * Only fewer than {@link SecAggParameters#threshold()} clients in a round stops the aggregation, with a
 * {@link SecAggException} naming the counts. One thread at a time.
 */
public final class SecAggServer {

    private final SecAggParameters parameters;
    private final SessionCrypto crypto;
    /** A key of the server's own, only to check that advertised keys are not of small order. */
    private final PrivateKey probe;
    private Stage stage = Stage.ADVERTISE_KEYS;
    private final Map<Integer, AdvertiseKeys> advertised = new TreeMap<>();
    private final Map<Integer, ShareKeys> shared = new TreeMap<>();
    private final Map<Integer, MaskedInput> masked = new TreeMap<>();
    private final Map<Integer, UnmaskResponse> responses = new TreeMap<>();
    /** The clients expected in the current round: those who completed the previous one and are not excluded. */
    private final Set<Integer> expected = new TreeSet<>();
    /** Round 1's clients (U2) and round 2's survivors (U3), fixed when their rounds close. */
    private final Set<Integer> sharers = new TreeSet<>();
    private final Set<Integer> survivors = new TreeSet<>();
    private final Map<Integer, String> excluded = new LinkedHashMap<>();

    public SecAggServer(SecAggParameters parameters) {
        this.parameters = parameters;
        this.crypto = new SessionCrypto(parameters.session());
        this.probe = X25519.generate(new SecureRandom()).getPrivate();
        expected.addAll(parameters.clients());
    }

    public SecAggParameters parameters() {
        return parameters;
    }

    /** The round whose messages are taken now. */
    public Stage stage() {
        return stage;
    }

    /** The clients whose message of the current round has not arrived yet (none excluded), in id order. */
    public Set<Integer> pending() {
        Set<Integer> out = new TreeSet<>(expected);
        out.removeAll(received().keySet());
        return java.util.Collections.unmodifiableSet(out);
    }

    /** The clients excluded so far, with the reason, in the order of exclusion. */
    public Map<Integer, String> excluded() {
        return java.util.Collections.unmodifiableMap(excluded);
    }

    /** Takes one client message: accepted, or refused with the reason (and its sender excluded if invited). */
    public Receipt receive(ClientMessage message) {
        int c = message.client();
        if (!parameters.invited(c)) {
            return Receipt.refuse(c, prefix() + "client " + c + " is not invited (expected: one of "
                    + parameters.clients().size() + " invited clients)");
        }
        if (excluded.containsKey(c)) {
            return Receipt.refuse(c, prefix() + "client " + c + " was excluded earlier: " + excluded.get(c));
        }
        if (message.session() != parameters.session()) {
            return exclude(c, name(message) + " of session " + message.session() + " (expected: "
                    + parameters.session() + "; a replay from another aggregation)");
        }
        if (message.stage() != stage) {
            return exclude(c, name(message) + " while the server is in round " + stage
                    + " (expected: a message of that round; a replay or a message out of order)");
        }
        if (!expected.contains(c)) {
            return Receipt.refuse(c, prefix() + "client " + c + " sent " + name(message)
                    + " but did not complete the previous round (expected: only its clients)");
        }
        if (received().containsKey(c)) {
            return exclude(c, "a second " + name(message) + " in round " + stage + " (expected: one; a replay)");
        }
        String problem = SecAggChecks.problem(message, this);
        if (problem != null) {
            return exclude(c, problem);
        }
        record(message);
        return Receipt.accept(c);
    }

    /** Closes round 0: the keys to send to every client that advertised (its {@link #pending()} set next). */
    public KeysAdvertised finishAdvertising() {
        enter(Stage.ADVERTISE_KEYS, "finishAdvertising");
        checkCount(advertised.keySet(), "advertised keys");
        next(Stage.SHARE_KEYS, advertised.keySet());
        return new KeysAdvertised(parameters.session(), new ArrayList<>(advertised.values()));
    }

    /** Closes round 1: for each client that shared its keys, the shares addressed to it. */
    public Map<Integer, SharesDelivered> finishSharing() {
        enter(Stage.SHARE_KEYS, "finishSharing");
        checkCount(shared.keySet(), "shared keys");
        sharers.addAll(shared.keySet());
        Map<Integer, List<EncryptedShare>> byRecipient = new TreeMap<>();
        for (int v : sharers) {
            byRecipient.put(v, new ArrayList<>());
        }
        for (ShareKeys s : shared.values()) {
            for (EncryptedShare e : s.shares()) {
                List<EncryptedShare> to = byRecipient.get(e.to());
                if (to != null) {
                    to.add(e);
                }
            }
        }
        Map<Integer, SharesDelivered> out = new LinkedHashMap<>();
        byRecipient.forEach((v, list) -> out.put(v, new SharesDelivered(parameters.session(), v, list)));
        next(Stage.MASKED_INPUT, sharers);
        return out;
    }

    /**
     * Closes round 2: excludes the clients whose shares a survivor refused, and returns the request to send
     * to every survivor; every other client of round 1 counts as dropped from here on.
     */
    public UnmaskRequest finishMasking() {
        enter(Stage.MASKED_INPUT, "finishMasking");
        for (MaskedInput m : new ArrayList<>(masked.values())) {
            for (int sender : m.refusedSenders()) {
                if (!excluded.containsKey(sender)) {
                    exclude(sender, "its encrypted share failed authentication at client " + m.client());
                }
            }
        }
        checkCount(masked.keySet(), "masked inputs");
        survivors.addAll(masked.keySet());
        next(Stage.UNMASKING, survivors);
        return new UnmaskRequest(parameters.session(), new ArrayList<>(survivors));
    }

    /** Closes round 3: reconstructs the masks from the revealed shares and returns the sum of the survivors' inputs. */
    public AggregationResult finishUnmasking() {
        enter(Stage.UNMASKING, "finishUnmasking");
        checkCount(responses.keySet(), "unmasking responses");
        stage = Stage.DONE;
        long[] sum = Unmasking.sum(this, masked, responses, advertised, sharers, survivors);
        List<Integer> dropped = new ArrayList<>();
        for (int c : parameters.clients()) {
            if (!survivors.contains(c) && !excluded.containsKey(c)) {
                dropped.add(c);
            }
        }
        dropped.sort(null);
        return new AggregationResult(sum, new ArrayList<>(survivors), dropped, excluded);
    }

    // What SecAggChecks and Unmasking read.

    SessionCrypto crypto() {
        return crypto;
    }

    PrivateKey probe() {
        return probe;
    }

    Map<Integer, AdvertiseKeys> advertised() {
        return advertised;
    }

    Map<Integer, ShareKeys> shared() {
        return shared;
    }

    Set<Integer> sharers() {
        return sharers;
    }

    Set<Integer> survivors() {
        return survivors;
    }

    String prefix() {
        return "secure aggregation session " + parameters.session() + ": ";
    }

    private Map<Integer, ? extends ClientMessage> received() {
        switch (stage) {
            case ADVERTISE_KEYS:
                return advertised;
            case SHARE_KEYS:
                return shared;
            case MASKED_INPUT:
                return masked;
            default:
                return responses;
        }
    }

    private void record(ClientMessage m) {
        if (m instanceof AdvertiseKeys a) {
            advertised.put(a.client(), a);
        } else if (m instanceof ShareKeys s) {
            shared.put(s.client(), s);
        } else if (m instanceof MaskedInput y) {
            masked.put(y.client(), y);
        } else {
            responses.put(m.client(), (UnmaskResponse) m);
        }
    }

    private Receipt exclude(int client, String reason) {
        String line = prefix() + "client " + client + " excluded: " + reason;
        excluded.put(client, line);
        expected.remove(client);
        // Its message of this round, if one was taken, no longer counts; an earlier round's stays (its keys and
        // shares are what lets the others remove its masks).
        received().remove(client);
        return Receipt.refuse(client, line);
    }

    private void next(Stage to, Set<Integer> clients) {
        stage = to;
        expected.clear();
        expected.addAll(clients);
        expected.removeAll(excluded.keySet());
    }

    private void enter(Stage expectedStage, String method) {
        if (stage != expectedStage) {
            throw new IllegalStateException(prefix() + method + " in round " + stage + " (expected: " + expectedStage + ")");
        }
    }

    private void checkCount(Set<Integer> clients, String what) {
        if (clients.size() < parameters.threshold()) {
            stage = Stage.DONE;
            throw new SecAggException(prefix() + clients.size() + " clients sent " + what + " " + clients
                    + " (expected: at least the threshold " + parameters.threshold() + " of " + parameters.clients().size()
                    + " invited; excluded: " + excluded.keySet() + ")");
        }
    }

    private static String name(ClientMessage m) {
        return m.getClass().getSimpleName();
    }
}
