package io.ringfold.random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SplitMix64#skip}: a generator that skips n draws gives what the n+1-th call of an unskipped one gives. */
class SplitMix64SkipTest {

    @Test
    void skippingMatchesDrawingForLongsAndGaussians() {
        for (long n : new long[] {0, 1, 2, 7, 1000}) {
            SplitMix64 drawn = SplitMix64.derive(11, 3, 5);
            for (long i = 0; i < n; i++) {
                drawn.nextLong();
            }
            SplitMix64 skipped = SplitMix64.derive(11, 3, 5);
            skipped.skip(n);
            assertThat(skipped.nextLong()).as("after %d draws", n).isEqualTo(drawn.nextLong());
        }
        SplitMix64 drawn = new SplitMix64(4);
        for (int i = 0; i < 9; i++) {
            drawn.nextGaussian();
        }
        SplitMix64 skipped = new SplitMix64(4);
        skipped.skip(18); // two draws per Gaussian
        assertThat(skipped.nextGaussian()).isEqualTo(drawn.nextGaussian());
    }
}
