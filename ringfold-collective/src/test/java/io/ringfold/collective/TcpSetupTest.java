package io.ringfold.collective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Rendezvous and address-list set-up, and the errors of a wrong group. */
class TcpSetupTest {

    static final TcpOptions OPTIONS = TcpOptions.defaults(Duration.ofSeconds(3));
    private final ExecutorService pool = Executors.newCachedThreadPool();
    private final List<Communicator> opened = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        opened.forEach(Communicator::close);
        pool.shutdownNow();
    }

    @Test
    void addressListFormsAWorkingGroup() throws Exception {
        int n = 3;
        List<TcpEndpoint> endpoints = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            endpoints.add(TcpEndpoint.bind("127.0.0.1", 0));
            addresses.add(endpoints.get(r).address());
        }
        List<Future<TcpCommunicator>> f = new ArrayList<>();
        for (int r = n - 1; r >= 0; r--) { // any start order
            int rank = r;
            f.add(0, pool.submit(() -> TcpCommunicator.connect(endpoints.get(rank), rank, addresses, OPTIONS)));
        }
        for (Future<TcpCommunicator> x : f) {
            opened.add(x.get(30, TimeUnit.SECONDS));
        }
        List<long[]> sums = Ranks.all(opened, c -> {
            long[] v = {c.rank() + 1, 10};
            c.allReduce(v, 0, 2, ReduceOp.SUM);
            return v;
        });
        for (long[] v : sums) {
            assertThat(v).containsExactly(6, 30);
        }
        assertThat(opened.get(1).describe()).isEqualTo("tcp rank 1/3 at " + TcpEndpoint.format(addresses.get(1)));
    }

    @Test
    void wrongWorldSizeIsRefusedOnBothSides() throws Exception {
        TcpEndpoint e0 = TcpEndpoint.bind("127.0.0.1", 0);
        InetSocketAddress at = e0.address();
        Future<TcpCommunicator> r0 = pool.submit(() -> TcpRendezvous.join(e0, at, 0, 2, OPTIONS));
        assertThatThrownBy(() -> TcpRendezvous.join(TcpEndpoint.bind("127.0.0.1", 0), at, 1, 3, OPTIONS))
                .isInstanceOf(CollectiveException.class).hasMessageContaining("says world size 3 (expected: 2");
        assertThatThrownBy(() -> r0.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(CollectiveException.class)
                .hasMessageContaining("world size 3");
    }

    @Test
    void duplicateRankIsRefused() throws Exception {
        TcpEndpoint e0 = TcpEndpoint.bind("127.0.0.1", 0);
        InetSocketAddress at = e0.address();
        Future<TcpCommunicator> r0 = pool.submit(() -> TcpRendezvous.join(e0, at, 0, 3, OPTIONS));
        Future<TcpCommunicator> a = pool.submit(() -> TcpRendezvous.join(TcpEndpoint.bind("127.0.0.1", 0), at, 1, 3, OPTIONS));
        Future<TcpCommunicator> b = pool.submit(() -> TcpRendezvous.join(TcpEndpoint.bind("127.0.0.1", 0), at, 1, 3, OPTIONS));
        for (Future<TcpCommunicator> f : List.of(r0, a, b)) {
            assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(CollectiveException.class)
                    .hasMessageContaining("rank 1 joined twice");
        }
    }

    @Test
    void absentRankZeroIsNamedWithItsAddress() {
        TcpEndpoint unused = TcpEndpoint.bind("127.0.0.1", 0);
        InetSocketAddress at = unused.address();
        unused.close(); // nobody listens there now
        TcpOptions quick = TcpOptions.defaults(Duration.ofMillis(500));
        assertThatThrownBy(() -> TcpRendezvous.join(TcpEndpoint.bind("127.0.0.1", 0), at, 1, 2, quick))
                .isInstanceOf(CollectiveException.class)
                .hasMessageContaining("rendezvous on rank 1/2: timed out after 500 ms waiting for rank 0 at "
                        + TcpEndpoint.format(at));
    }

    @Test
    void rankZeroNamesTheRanksThatNeverJoined() {
        TcpEndpoint e0 = TcpEndpoint.bind("127.0.0.1", 0);
        TcpOptions quick = TcpOptions.defaults(Duration.ofMillis(500));
        assertThatThrownBy(() -> TcpRendezvous.join(e0, e0.address(), 0, 3, quick))
                .isInstanceOf(CollectiveException.class).hasMessageContaining("waiting for ranks 1, 2 to join");
    }

    @Test
    void optionsAreValidated() {
        assertThatThrownBy(() -> TcpOptions.defaults(Duration.ZERO)).hasMessageContaining("timeout: PT0S (expected: > 0)");
        assertThatThrownBy(() -> TcpOptions.defaults(Duration.ofSeconds(1)).withSmallMaxBytes(1 << 30))
                .hasMessageContaining("smallMaxBytes");
        assertThatThrownBy(() -> TcpEndpoint.parse("nohost")).hasMessageContaining("expected: host:port");
    }
}
