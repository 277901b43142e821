package io.ringfold.optim;

import org.junit.jupiter.api.Test;

import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Three steps from fixed weights with a fixed gradient sequence; the expected float32 bit patterns come
 * from src/test/resources/io/ringfold/optim/optimizer_reference.py (numpy float32, PyTorch's update
 * order), so the comparison is exact.
 */
class OptimizerExactValuesTest {

    private static final float[] W0 = {0.5f, -1.25f, 2.0f, 0.0f};
    private static final float[][] GRADS = {
            {0.1f, -0.2f, 0.3f, -0.4f},
            {-0.05f, 0.15f, 0.25f, 1.0f},
            {0.2f, 0.2f, -0.1f, 0.0f}};
    private static final float LR = 0.1f;

    @Test
    void sgd() {
        assertSteps(Sgd::new, 0x3ef33333, 0xbfa1eb85, 0x3ffa3d71, 0xbd75c28f);
    }

    @Test
    void momentum() {
        assertSteps(() -> new Momentum(0.9f, false), 0x3eecbfb1, 0xbf9f4539, 0x3ff0cb29, 0xbda71de6);
    }

    @Test
    void nesterov() {
        assertSteps(() -> new Momentum(0.9f, true), 0x3ee1dfb9, 0xbfa1436c, 0x3fec8de2, 0xbe08a47f);
    }

    @Test
    void adam() {
        assertSteps(() -> new Adam(0.9f, 0.999f, 1e-8f), 0x3e9d77de, 0xbf967a2f, 0x3fdf0af7, 0x3cb0e838);
    }

    /** The vectorised Adam loop must give the scalar update's bits on long vectors (lanes and tail). */
    @Test
    void adamVectorPathEqualsTheScalarFormula() {
        int n = 1003;
        io.ringfold.random.SplitMix64 rng = new io.ringfold.random.SplitMix64(17);
        float[] w = new float[n];
        float[] expected = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) rng.nextGaussian();
        }
        System.arraycopy(w, 0, expected, 0, n);
        float[] m = new float[n];
        float[] v = new float[n];
        Adam adam = new Adam(0.9f, 0.999f, 1e-8f);
        adam.initialize(n);
        for (int t = 1; t <= 4; t++) {
            float[] g = new float[n];
            for (int i = 0; i < n; i++) {
                g[i] = (float) rng.nextGaussian();
            }
            adam.step(w, g, 0.01f);
            float step = (float) (0.01f / (1.0 - Math.pow(0.9f, t)));
            float inv = (float) (1.0 / Math.sqrt(1.0 - Math.pow(0.999f, t)));
            for (int i = 0; i < n; i++) {
                m[i] = 0.9f * m[i] + (1f - 0.9f) * g[i];
                v[i] = 0.999f * v[i] + (1f - 0.999f) * g[i] * g[i];
                expected[i] -= step * m[i] / ((float) Math.sqrt(v[i]) * inv + 1e-8f);
            }
        }
        assertThat(w).containsExactly(expected);
    }

    @Test
    void copyAndRestoreContinueIdentically() {
        for (Supplier<Optimizer> s : java.util.List.<Supplier<Optimizer>>of(Sgd::new,
                () -> new Momentum(0.9f, true), () -> new Adam(0.9f, 0.999f, 1e-8f))) {
            Optimizer a = s.get();
            float[] wa = W0.clone();
            a.initialize(wa.length);
            a.step(wa, GRADS[0], LR);
            Optimizer copied = a.copy();
            Optimizer restored = s.get();
            restored.initialize(wa.length);
            restored.restore(a.state());
            float[] wb = wa.clone();
            float[] wc = wa.clone();
            for (int k = 1; k < GRADS.length; k++) {
                a.step(wa, GRADS[k], LR);
                copied.step(wb, GRADS[k], LR);
                restored.step(wc, GRADS[k], LR);
            }
            assertThat(wb).as(a.describe() + " copy").containsExactly(wa);
            assertThat(wc).as(a.describe() + " restore").containsExactly(wa);
            assertThat(restored.steps()).isEqualTo(3);
        }
    }

    /**
     * A sharded step: three "workers", each with its own optimizer, update disjoint ranges of the same
     * vector (odd boundaries, so Adam's vector lanes start unaligned) and copy their ranges into one
     * vector, as the data-parallel trainer does; after four steps the bits equal one optimizer's full
     * steps, for every optimizer.
     */
    @Test
    void rangeStepsOnDisjointRangesEqualTheFullStep() {
        int n = 1003;
        int[] bounds = {0, 333, 667, n};
        for (Supplier<Optimizer> s : java.util.List.<Supplier<Optimizer>>of(Sgd::new,
                () -> new Momentum(0.9f, false), () -> new Momentum(0.9f, true), () -> new Adam(0.9f, 0.999f, 1e-8f))) {
            io.ringfold.random.SplitMix64 rng = new io.ringfold.random.SplitMix64(5);
            float[] full = new float[n];
            for (int i = 0; i < n; i++) {
                full[i] = (float) rng.nextGaussian();
            }
            Optimizer whole = s.get();
            whole.initialize(n);
            Optimizer[] shards = new Optimizer[bounds.length - 1];
            float[][] worker = new float[shards.length][];
            for (int w = 0; w < shards.length; w++) {
                shards[w] = s.get();
                shards[w].initialize(n);
                worker[w] = full.clone();
            }
            for (int t = 0; t < 4; t++) {
                float[] g = new float[n];
                for (int i = 0; i < n; i++) {
                    g[i] = (float) rng.nextGaussian();
                }
                whole.step(full, g, 0.01f);
                for (int w = 0; w < shards.length; w++) {
                    shards[w].step(worker[w], g, 0.01f, bounds[w], bounds[w + 1]);
                }
                // All-gather: every worker takes the others' ranges.
                for (int w = 0; w < shards.length; w++) {
                    for (int o = 0; o < shards.length; o++) {
                        System.arraycopy(worker[o], bounds[o], worker[w], bounds[o], bounds[o + 1] - bounds[o]);
                    }
                }
            }
            for (int w = 0; w < shards.length; w++) {
                assertThat(worker[w]).as(whole.describe() + " worker " + w).containsExactly(full);
                assertThat(shards[w].steps()).isEqualTo(4);
            }
        }
    }

    @Test
    void misuseIsReported() {
        assertThatThrownBy(() -> new Adam(1.0f, 0.999f, 1e-8f)).hasMessage("beta1: 1.0 (expected: 0 <= beta1 < 1)");
        assertThatThrownBy(() -> new Momentum(0f, false)).hasMessage("momentum: 0.0 (expected: 0 < momentum < 1)");
        assertThatThrownBy(() -> new Sgd().step(new float[1], new float[1], 0.1f))
                .hasMessageContaining("step before initialize");
        Adam adam = new Adam(0.9f, 0.999f, 1e-8f);
        adam.initialize(3);
        assertThatThrownBy(() -> adam.step(new float[2], new float[2], 0.1f))
                .hasMessage("params/grad length: 2/2 (expected: 3)");
        assertThatThrownBy(() -> adam.restore(new Sgd().state())).hasMessageContaining("expected: adam");
        assertThatThrownBy(() -> adam.step(new float[3], new float[3], 0.1f, 2, 4))
                .hasMessage("step range 0: [2, 4) (expected: within [0, 3], ascending and disjoint)");
        assertThatThrownBy(() -> adam.step(new float[3], new float[3], 0.1f, new int[] {0, 2, 1, 3}, 2))
                .hasMessage("step range 1: [1, 3) (expected: within [0, 3], ascending and disjoint)");
    }

    private static void assertSteps(Supplier<Optimizer> factory, int... expectedBits) {
        Optimizer opt = factory.get();
        float[] w = W0.clone();
        opt.initialize(w.length);
        for (float[] g : GRADS) {
            opt.step(w, g, LR);
        }
        int[] actual = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            actual[i] = Float.floatToRawIntBits(w[i]);
        }
        assertThat(actual).as(opt.describe()).containsExactly(expectedBits);
        assertThat(opt.steps()).isEqualTo(3);
    }
}
