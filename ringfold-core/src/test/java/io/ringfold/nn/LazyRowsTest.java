package io.ringfold.nn;

import io.ringfold.optim.Adam;
import io.ringfold.optim.Momentum;
import io.ringfold.optim.Optimizer;
import io.ringfold.optim.Sgd;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sparse updates of embedding tables: a token no example of a step used keeps its embedding and its optimizer
 * state, while a dense Adam step would move it by its momentum; everything else gets exactly the dense update.
 */
class LazyRowsTest {

    /** embeddingbag(3) over a vocabulary of 5, then the output layer: the table is parameters [0, 15). */
    private static final Network NET = Network.of(Shape.vector(5), LayerList.parse("embeddingbag(3)"), 2,
            Loss.CROSS_ENTROPY);

    @Test
    void unusedTokensKeepTheirRowsAndMoments() {
        assertThat(LazyRows.of(NET)).isNotNull();
        assertThat(LazyRows.of(Network.of(Shape.vector(5), List.of(), 2, Loss.CROSS_ENTROPY))).isNull();
        int p = NET.parameterCount();
        float[] lazyParams = NET.initialParameters(1);
        float[] denseParams = lazyParams.clone();
        Optimizer lazyAdam = new Adam(0.9f, 0.999f, 1e-8f);
        Optimizer denseAdam = lazyAdam.copy();
        lazyAdam.initialize(p);
        denseAdam.initialize(p);
        LazyRows lazy = LazyRows.of(NET);

        // Step 1 uses tokens 1 and 3; step 2 only token 3.
        float[] g1 = gradient(p, 1, 3);
        float[] g2 = gradient(p, 3);
        lazy.step(lazyAdam, lazyParams, g1.clone(), null, 0f, 0.01f, 0, p);
        denseAdam.step(denseParams, g1.clone(), 0.01f);
        float[] afterOne = lazyParams.clone();
        assertThat(lazyParams).as("the first step is the dense step: unused rows have zero moments anyway")
                .containsExactly(denseParams);
        lazy.step(lazyAdam, lazyParams, g2.clone(), null, 0f, 0.01f, 0, p);
        denseAdam.step(denseParams, g2.clone(), 0.01f);

        for (int c = 0; c < 3; c++) {
            assertThat(lazyParams[3 + c]).as("token 1, unused in step 2, stays").isEqualTo(afterOne[3 + c]);
            assertThat(denseParams[3 + c]).as("dense Adam moves it by momentum").isNotEqualTo(afterOne[3 + c]);
            assertThat(lazyParams[9 + c]).as("token 3 is updated as by dense Adam").isEqualTo(denseParams[9 + c]);
            assertThat(lazyParams[0 + c]).as("token 0, never used, stays").isEqualTo(afterOne[c]);
        }
        for (int i = 15; i < p; i++) {
            assertThat(lazyParams[i]).as("output layer parameter %d: the dense update", i).isEqualTo(denseParams[i]);
        }
        assertThat(lazyAdam.state().buffers()[0][3]).as("token 1's first moment is the step 1 value")
                .isEqualTo((1f - 0.9f) * g1[3]);
        assertThat(lazyAdam.steps()).isEqualTo(2);
    }

    @Test
    void rangesUpdateExactlyWhatTheyCoverForEveryOptimizer() {
        for (Optimizer o : List.of(new Sgd(), new Momentum(0.9f, true), new Adam(0.9f, 0.999f, 1e-8f))) {
            Optimizer whole = o.copy();
            o.initialize(40);
            whole.initialize(40);
            float[] a = new float[40];
            float[] g = new float[40];
            for (int i = 0; i < 40; i++) {
                a[i] = i * 0.1f;
                g[i] = (i % 7) - 3;
            }
            float[] b = a.clone();
            o.step(a, g.clone(), 0.1f, new int[] {0, 5, 9, 37}, 2);
            whole.step(b, g.clone(), 0.1f);
            for (int i = 0; i < 40; i++) {
                boolean covered = i < 5 || i >= 9 && i < 37;
                if (covered) {
                    assertThat(a[i]).as("%s element %d", o.describe(), i).isEqualTo(b[i]);
                } else {
                    assertThat(a[i]).as("%s element %d untouched", o.describe(), i).isEqualTo(i * 0.1f);
                }
            }
        }
    }

    @Test
    void weightDecayReachesOnlyTheEntriesUpdated() {
        int p = NET.parameterCount();
        float[] params = NET.initialParameters(2);
        float[] before = params.clone();
        Optimizer sgd = new Sgd();
        sgd.initialize(p);
        LazyRows.of(NET).step(sgd, params, gradient(p, 2), NET.weightMask(), 0.5f, 1f, 0, p);
        assertThat(params[0]).as("unused token: no decay either").isEqualTo(before[0]);
        assertThat(params[6]).as("used token: gradient plus decay").isEqualTo(before[6] - (1f + 0.5f * before[6]));
    }

    /** A gradient of ones on the rows of {@code tokens} and on the output layer. */
    private static float[] gradient(int p, int... tokens) {
        float[] g = new float[p];
        for (int t : tokens) {
            for (int c = 0; c < 3; c++) {
                g[3 * t + c] = 1f + c;
            }
        }
        for (int i = 15; i < p; i++) {
            g[i] = 0.5f;
        }
        return g;
    }
}
