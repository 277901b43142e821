package io.ringfold.dpsgd;

import io.ringfold.nn.LayerList;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.nn.Shape;
import io.ringfold.privacy.RdpAccountant;
import io.ringfold.train.Hyperparameter;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.SolverKind;
import io.ringfold.train.TrainingConfig;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A private run's plan from its configuration, and the combinations refused because they break the guarantee. */
class DpSgdPlanTest {

    private static final Network MLP = Network.of(Shape.vector(784), LayerList.parse("dense(128),relu"), 10,
            Loss.CROSS_ENTROPY);

    private static TrainingConfig config(Object... pairs) {
        Map<Hyperparameter<?>, Object> m = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            m.put((Hyperparameter<?>) pairs[i], pairs[i + 1]);
        }
        return TrainingConfig.of(m);
    }

    @Test
    void aRunWithoutAClipNormIsNotPrivate() {
        assertThat(TrainingConfig.defaults().dpSgdPlan(MLP, 60_000)).isNull();
    }

    @Test
    void theNoiseMultiplierForATargetEpsilonIsTheAccountants() {
        TrainingConfig c = config(Hyperparameters.DP_CLIP, 1.0, Hyperparameters.DP_EPSILON, 3.0,
                Hyperparameters.BATCH_SIZE, 256, Hyperparameters.EPOCHS, 10);
        DpSgdPlan plan = c.dpSgdPlan(MLP, 60_000);
        assertThat(plan.samplingRate()).isEqualTo(256.0 / 60_000);
        assertThat(plan.stepsPerEpoch()).isEqualTo(235); // ceil(60000 / 256)
        assertThat(plan.delta()).isEqualTo(1e-5);
        assertThat(plan.deltaDefaulted()).isTrue();
        assertThat(plan.noiseMultiplier()).isEqualTo(RdpAccountant.noiseMultiplier(3.0, 256.0 / 60_000, 2350, 1e-5));
        // The least sigma to within 0.01 (the accountant's bisection): epsilon just below the target.
        assertThat(plan.epsilon(2350)).isLessThanOrEqualTo(3.0).isGreaterThan(2.8);
        assertThat(plan.epsilon(235)).isLessThan(plan.epsilon(2350));
        assertThat(plan.meanNoiseStd()).isEqualTo(plan.noiseMultiplier() * 1.0 / 256);
        assertThat(plan.describe()).contains("noise seeded by (seed, step): reproducible");
    }

    @Test
    void theDefaultDeltaIsTheLargestPowerOfTenBelowOneOverN() {
        assertThat(DpSgdPlan.defaultDelta(60_000)).isEqualTo(1e-5);
        assertThat(DpSgdPlan.defaultDelta(100)).isEqualTo(1e-3);
        assertThat(DpSgdPlan.defaultDelta(99)).isEqualTo(1e-2);
        assertThat(DpSgdPlan.defaultDelta(1797)).isEqualTo(1e-4);
    }

    @Test
    void aGivenNoiseMultiplierAndDeltaAreKept() {
        TrainingConfig c = config(Hyperparameters.DP_CLIP, 0.5, Hyperparameters.DP_NOISE_MULTIPLIER, 1.1,
                Hyperparameters.DP_DELTA, 1e-6, Hyperparameters.DP_SECURE_RNG, true);
        DpSgdPlan plan = c.dpSgdPlan(MLP, 1000);
        assertThat(plan.noiseMultiplier()).isEqualTo(1.1);
        assertThat(plan.delta()).isEqualTo(1e-6);
        assertThat(plan.newNoise().isSecure()).isTrue();
        assertThat(plan.describe()).contains("not reproducible");
        assertThat(plan.toJson(80).get("epsilon").asDouble()).isEqualTo(plan.epsilon(80));
    }

    @Test
    void combinationsThatBreakTheGuaranteeAreRefusedInOneLine() {
        assertThatThrownBy(() -> config(Hyperparameters.DP_CLIP, 1.0))
                .hasMessage("dpNoiseMultiplier: 0.0 and dpEpsilon 0.0 (expected: one of them > 0 in a private run "
                        + "(--dp-noise-multiplier sigma, or --dp-epsilon for the least sigma that stays within it))");
        assertThatThrownBy(() -> config(Hyperparameters.DP_CLIP, 1.0, Hyperparameters.DP_NOISE_MULTIPLIER, 1.0,
                Hyperparameters.DP_EPSILON, 3.0)).hasMessageStartingWith("dpNoiseMultiplier: 1.0 and dpEpsilon 3.0");
        assertThatThrownBy(() -> config(Hyperparameters.DP_NOISE_MULTIPLIER, 1.0))
                .hasMessageStartingWith("dpNoiseMultiplier: 1.0 (expected: 0 unless dpClip > 0");
        assertThatThrownBy(() -> config(Hyperparameters.DP_CLIP, 1.0, Hyperparameters.DP_NOISE_MULTIPLIER, 1.0,
                Hyperparameters.MODEL, io.ringfold.model.ModelType.LOGISTIC, Hyperparameters.SOLVER, SolverKind.LBFGS))
                .hasMessageStartingWith("solver: lbfgs (expected: sgd, adam or auto in a private run");
        assertThatThrownBy(() -> config(Hyperparameters.DP_CLIP, 1.0, Hyperparameters.DP_NOISE_MULTIPLIER, 1.0)
                .dpSgdPlan(Network.of(Shape.vector(4), LayerList.parse("dense(4),add(dense(4),batchnorm)"), 2,
                        Loss.CROSS_ENTROPY), 100))
                .hasMessageStartingWith("layers[1].block[1] batchnorm: batchnorm in a private run (--dp-clip)")
                .hasMessageContaining("layernorm");
    }

    @Test
    void aPrivateLinearModelStepsThroughMiniBatches() {
        TrainingConfig c = config(Hyperparameters.DP_CLIP, 1.0, Hyperparameters.DP_NOISE_MULTIPLIER, 1.0,
                Hyperparameters.MODEL, io.ringfold.model.ModelType.LINEAR);
        assertThat(c.resolvedSolver(10)).isEqualTo(SolverKind.AUTO);
        assertThat(c.resolvedSolver(10).fullBatch()).isFalse();
        assertThat(TrainingConfig.fromJson(c.toJson())).isEqualTo(c);
    }
}
