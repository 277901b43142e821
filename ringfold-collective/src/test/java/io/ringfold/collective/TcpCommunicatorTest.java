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
import org.junit.jupiter.api.Test;

/** The contract over real loopback sockets: ranks are threads of this JVM, joined by the rendezvous. */
class TcpCommunicatorTest extends CommunicatorContractTest {

    /** Small chunks so that moderate buffers already take many pipelined frames. */
    static TcpOptions options(Duration timeout) {
        return TcpOptions.defaults(timeout).withChunkBytes(64 * 1024).withSmallMaxBytes(16 * 1024);
    }

    @Override
    protected List<Communicator> create(int size, Duration timeout) {
        return group(size, options(timeout));
    }

    @Override
    protected boolean namesAddresses() {
        return true;
    }

    static List<Communicator> group(int size, TcpOptions o) {
        TcpEndpoint rank0 = TcpEndpoint.bind("127.0.0.1", 0);
        InetSocketAddress at = rank0.address();
        ExecutorService pool = Executors.newFixedThreadPool(size);
        try {
            List<Future<TcpCommunicator>> f = new ArrayList<>();
            for (int r = 0; r < size; r++) {
                int rank = r;
                f.add(pool.submit(() -> TcpRendezvous.join(rank == 0 ? rank0 : TcpEndpoint.bind("127.0.0.1", 0), at, rank,
                        size, o)));
            }
            List<Communicator> out = new ArrayList<>();
            for (Future<TcpCommunicator> x : f) {
                out.add(x.get(60, TimeUnit.SECONDS));
            }
            return out;
        } catch (Exception e) {
            throw new AssertionError("rendezvous failed: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Every rank checks every declared length, so all fail alike, naming the sender, the length and the limit. */
    @Test
    void allToAllRefusesABlockDeclaredAboveTheLimitOnEveryRank() {
        List<Communicator> g = group(3, options(TIMEOUT).withMaxMessageBytes(4096));
        try {
            List<Ranks.Outcome<Object>> out = Ranks.run(g, c -> {
                float[][] toEach = new float[3][];
                for (int r = 0; r < 3; r++) {
                    toEach[r] = new float[c.rank() == 1 && r == 0 ? 1025 : 1024];
                }
                return c.allToAll(toEach);
            });
            for (Ranks.Outcome<Object> o : out) {
                assertThat(o.error()).isInstanceOf(CollectiveException.class)
                        .hasMessageContaining("alltoall #1")
                        .hasMessageContaining(": rank 1 (127.0.0.1:")
                        .hasMessageContaining("declared a block of float32 x 1025 for rank 0 (expected: 0..1024, the 4096 bytes"
                                + " of TcpOptions.maxMessageBytes)");
            }
        } finally {
            g.forEach(Communicator::close);
        }
        assertThatThrownBy(() -> options(TIMEOUT).withMaxMessageBytes(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxMessageBytes: 0 (expected: > 0)");
    }
}
