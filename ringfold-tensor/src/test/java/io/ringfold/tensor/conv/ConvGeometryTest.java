package io.ringfold.tensor.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Sizes against hand-worked values (PyTorch's {@code floor((H + 2p − k) / s) + 1}) and the messages of bad shapes. */
class ConvGeometryTest {

    @Test
    void leNetShapes() {
        ConvGeometry conv1 = ConvGeometry.square(1, 28, 28, 20, 5, 1, 0);
        assertThat(conv1.outHeight()).isEqualTo(24);
        assertThat(conv1.outWidth()).isEqualTo(24);
        assertThat(conv1.inputSize()).isEqualTo(784);
        assertThat(conv1.outputSize()).isEqualTo(20 * 576);
        assertThat(conv1.patchSize()).isEqualTo(25);
        assertThat(conv1.weightCount()).isEqualTo(500);
        assertThat(conv1.parameterCount()).isEqualTo(520);
        assertThat(conv1.multiplyAddsPerExample()).isEqualTo(20L * 25 * 576);

        ConvGeometry conv2 = ConvGeometry.square(20, 12, 12, 50, 5, 1, 0);
        assertThat(conv2.outPositions()).isEqualTo(64);
        assertThat(conv2.patchSize()).isEqualTo(500);
        assertThat(conv2.parameterCount()).isEqualTo(25_050);
        assertThat(conv2.multiplyAddsPerExample()).isEqualTo(1_600_000L);
        assertThat(conv2).hasToString("20x12x12 -> 50x8x8 (kernel 5x5, stride 1, padding 0)");
    }

    @Test
    void strideAndPaddingFollowTheFloorFormula() {
        // (7 + 2 - 3) / 2 + 1 = 4; (8 + 2 - 2) / 2 + 1 = 5
        ConvGeometry g = new ConvGeometry(3, 7, 8, 4, 3, 2, 2, 1);
        assertThat(g.outHeight()).isEqualTo(4);
        assertThat(g.outWidth()).isEqualTo(5);
        // A kernel of 1 with padding 2 on 3x4: 7x8, the border outputs seeing only padding.
        ConvGeometry border = ConvGeometry.square(1, 3, 4, 2, 1, 1, 2);
        assertThat(border.outHeight()).isEqualTo(7);
        assertThat(border.outWidth()).isEqualTo(8);
        // (9 - 5) / 3 + 1 = 2: the last partial window is dropped.
        assertThat(ConvGeometry.square(1, 9, 9, 1, 5, 3, 0).outHeight()).isEqualTo(2);
    }

    @Test
    void rejectsWhatCannotBeComputedNamingTheProblem() {
        assertThatThrownBy(() -> ConvGeometry.square(20, 4, 4, 50, 5, 1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("input 20x4x4 is smaller than the kernel 5x5");
        assertThatThrownBy(() -> ConvGeometry.square(1, 2, 9, 1, 5, 1, 1))
                .hasMessage("input 1x2x9 with padding 1 is smaller than the kernel 5x5");
        assertThatThrownBy(() -> ConvGeometry.square(0, 4, 4, 5, 3, 1, 0)).hasMessage("channels: 0 (expected: > 0)");
        assertThatThrownBy(() -> ConvGeometry.square(1, 4, 4, 0, 3, 1, 0)).hasMessage("filters: 0 (expected: > 0)");
        assertThatThrownBy(() -> ConvGeometry.square(1, 4, 4, 2, 3, 0, 0)).hasMessage("stride: 0 (expected: > 0)");
        assertThatThrownBy(() -> ConvGeometry.square(1, 4, 4, 2, 3, 1, -1)).hasMessage("padding: -1 (expected: >= 0)");
        assertThatThrownBy(() -> new ConvGeometry(1, 4, 4, 2, 3, -2, 1, 0)).hasMessage("kernelW: -2 (expected: > 0)");
        assertThatThrownBy(() -> ConvGeometry.square(4096, 4096, 4096, 1, 1, 1, 0))
                .hasMessageStartingWith("input: 68719476736 elements per example (expected: at most");
    }

    @Test
    void poolingGeometry() {
        PoolGeometry pool = new PoolGeometry(20, 24, 24, 2, 2);
        assertThat(pool.outHeight()).isEqualTo(12);
        assertThat(pool.outputSize()).isEqualTo(20 * 144);
        assertThat(new PoolGeometry(1, 7, 6, 3, 2).outWidth()).isEqualTo(2);
        assertThat(pool).hasToString("20x24x24 -> 20x12x12 (window 2x2, stride 2)");
        assertThatThrownBy(() -> new PoolGeometry(50, 3, 3, 4, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("input 50x3x3 is smaller than the pooling window 4x4");
        assertThatThrownBy(() -> new PoolGeometry(1, 3, 3, 2, 0)).hasMessage("stride: 0 (expected: > 0)");
    }
}
