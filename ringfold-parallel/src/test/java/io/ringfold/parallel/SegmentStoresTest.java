package io.ringfold.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The choice between plain and streaming stores, fed with made-up timings: plain while plain writes stay
 * within twice the streaming ones, streaming while they do not, a probe of the other kind every 64th
 * write, and a change of period followed in both directions.
 */
class SegmentStoresTest {

    /** Runs {@code writes} writes timed by the kind of store; returns how many streamed. */
    private static int run(SegmentStores stores, int writes, long plainNanos, long streamingNanos) {
        int streamed = 0;
        for (int i = 0; i < writes; i++) {
            boolean streaming = stores.next();
            stores.record(streaming, streaming ? streamingNanos : plainNanos);
            streamed += streaming ? 1 : 0;
        }
        return streamed;
    }

    @Test
    void measuresBothThenKeepsPlainWhileItIsFastAndProbesStreaming() {
        SegmentStores stores = new SegmentStores();
        assertThat(stores.next()).as("first write").isFalse();
        stores.record(false, 20_000);
        assertThat(stores.next()).as("second write").isTrue();
        stores.record(true, 22_000);
        // Plain as fast as streaming: plain, with one streaming probe in every 64 writes.
        int streamed = run(stores, 640, 20_000, 22_000);
        assertThat(streamed).isEqualTo(10);
        assertThat(stores.writes()).isEqualTo(642);
        assertThat(stores.streamed()).isEqualTo(11);
    }

    @Test
    void switchesToStreamingWhenPlainWritesSlowDownAndBackWhenTheyRecover() {
        SegmentStores stores = new SegmentStores();
        run(stores, 200, 20_000, 22_000);
        // Plain writes 4.5x slower (a slow period): after a few writes the mean passes 2x and streaming takes over.
        int streamed = run(stores, 640, 90_000, 22_000);
        assertThat(streamed).isBetween(640 - 10 - 8, 640 - 10);
        // The period ends: the plain probes see it, and plain takes over again within a few probes.
        int after = run(stores, 64 * 20, 20_000, 22_000);
        int last = run(stores, 640, 20_000, 22_000);
        assertThat(after).isLessThan(64 * 20);
        assertThat(last).isEqualTo(10);
    }

    @Test
    void theSettingIsCheckedAndFixesTheChoice() {
        assertThat(SegmentStores.fixed("auto")).isNull();
        assertThat(SegmentStores.fixed("plain")).isFalse();
        assertThat(SegmentStores.fixed("streaming")).isTrue();
        assertThatThrownBy(() -> SegmentStores.fixed("fast"))
                .hasMessage("ringfold.segment.stores: fast (expected: auto, plain or streaming)");
    }
}
