package io.ringfold.collective.secagg;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What the server and every client of one secure aggregation agree on before it starts.
 *
 * @param session      a number naming this aggregation (the federated round, say); every message carries
 *                     it and every derived key is bound to it, so a message of another session is refused
 *                     as a replay
 * @param clients      the invited clients' ids, distinct, each {@code >= 0}; at least 2
 * @param threshold    t: any t clients' shares recover a client's secrets, fewer reveal nothing. It must be
 *                     more than half the invited clients ({@code n/2 < t <= n}): then no two disjoint sets
 *                     of t clients exist, so the shares that reveal a client's self mask and those that
 *                     reveal its mask key can never both reach t, which is what keeps each input hidden from
 *                     an honest-but-curious server. It is also the fewest clients that must stay to the end.
 * @param vectorLength the number of int64 elements each client adds, {@code >= 1}
 */
public record SecAggParameters(long session, List<Integer> clients, int threshold, int vectorLength) {

    public SecAggParameters {
        clients = List.copyOf(clients);
        if (clients.size() < 2) {
            throw new IllegalArgumentException("clients: " + clients.size() + " (expected: at least 2)");
        }
        Set<Integer> seen = new HashSet<>();
        for (int c : clients) {
            if (c < 0 || c == Integer.MAX_VALUE) {
                throw new IllegalArgumentException("client id: " + c + " (expected: 0.." + (Integer.MAX_VALUE - 1) + ")");
            }
            if (!seen.add(c)) {
                throw new IllegalArgumentException("client id: " + c + " appears twice (expected: distinct ids)");
            }
        }
        int n = clients.size();
        if (threshold <= n / 2 || threshold > n) {
            throw new IllegalArgumentException("threshold: " + threshold + " (expected: " + minimumThreshold(n) + ".." + n
                    + ", more than half of the " + n + " clients, which the honest-but-curious server's guarantee needs)");
        }
        if (vectorLength < 1) {
            throw new IllegalArgumentException("vectorLength: " + vectorLength + " (expected: >= 1)");
        }
    }

    /** The smallest valid threshold for {@code n} invited clients: {@code n/2 + 1}. */
    public static int minimumThreshold(int n) {
        return n / 2 + 1;
    }

    /** Clients {@code 0..n-1} with the smallest valid threshold. */
    public static SecAggParameters of(long session, int n, int vectorLength) {
        List<Integer> ids = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            ids.add(i);
        }
        return new SecAggParameters(session, ids, minimumThreshold(n), vectorLength);
    }

    boolean invited(int client) {
        return clients.contains(client);
    }
}
