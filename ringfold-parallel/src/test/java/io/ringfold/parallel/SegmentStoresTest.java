package io.ringfold.parallel;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The choice between plain and streaming stores, fed with made-up timings: plain while the fastest of the
 * recent plain writes stays within twice the fastest streaming one, streaming while it does not, a probe
 * of the other kind every 64th write, a change of period followed in both directions, and one disturbed
 * write changing nothing.
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
    void oneSlowWriteDoesNotSwitchButEightDo() {
        SegmentStores stores = new SegmentStores();
        run(stores, 10, 20_000, 22_000);
        stores.next();
        stores.record(false, 5_000_000); // preempted during the write
        assertThat(run(stores, 50, 20_000, 22_000)).as("after one slow write").isZero();
        int slow = 0;
        while (slow < SegmentStores.RECENT) {
            boolean streaming = stores.next(); // true only for the probe at the 64th write
            assertThat(streaming).as("slow plain write %d", slow).isEqualTo(stores.writes() % SegmentStores.PROBE_EVERY == 0);
            stores.record(streaming, streaming ? 22_000 : 90_000);
            slow += streaming ? 0 : 1;
        }
        assertThat(stores.next()).as("after eight slow plain writes").isTrue();
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
