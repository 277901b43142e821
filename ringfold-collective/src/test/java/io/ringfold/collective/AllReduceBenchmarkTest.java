package io.ringfold.collective;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AllReduceBenchmarkTest {

    @Test
    void reportsBusBandwidthAsNcclTestsDefinesIt() {
        List<Communicator> g = TcpCommunicatorTest.group(3, TcpCommunicatorTest.options(Duration.ofSeconds(20)));
        try {
            List<List<AllReduceBenchmark.Result>> all = Ranks.all(g,
                    c -> AllReduceBenchmark.run(c, new long[] {8, 400_000}, 1, 3));
            List<AllReduceBenchmark.Result> r = all.get(0);
            assertThat(r).hasSize(2);
            assertThat(all.get(1)).isEqualTo(r); // every rank reports the slowest rank's median
            AllReduceBenchmark.Result big = r.get(1);
            assertThat(big.sizeBytes()).isEqualTo(400_000);
            assertThat(big.ranks()).isEqualTo(3);
            assertThat(big.algbwGBps()).isCloseTo(400_000 / big.medianSeconds() / 1e9, offset(1e-9));
            assertThat(big.busbwGBps()).isCloseTo(big.algbwGBps() * 4 / 3, offset(1e-9));
            List<Double> raw = Ranks.all(g, c -> AllReduceBenchmark.rawTcp(c, "127.0.0.1", 1 << 20));
            assertThat(raw.get(0)).isPositive().isEqualTo(raw.get(2));
            List<Double> duplex = Ranks.all(g, c -> AllReduceBenchmark.rawTcpDuplex(c, "127.0.0.1", 1 << 20));
            assertThat(duplex.get(0)).isPositive().isLessThan(Double.MAX_VALUE).isEqualTo(duplex.get(1))
                    .isEqualTo(duplex.get(2));
        } finally {
            g.forEach(Communicator::close);
        }
    }
}
