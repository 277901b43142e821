package io.ringfold.nn;

import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.ReferenceBlas;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A network cut into stages computes, bit for bit, what the whole network computes: the initial parameters,
 * the loss, the hits and every parameter gradient of one batch, with the stages' outputs and input gradients
 * handed from one to the next as a pipeline hands them over.
 */
class NetworkStageTest {

    private static final ReferenceBlas BLAS = new ReferenceBlas();

    private static Network net() {
        return Network.of(Shape.of(1, 8, 8), LayerList.parse(
                "conv2d(4,3,padding=1),batchnorm,relu,maxpool2d(2),dropout(0.25),flatten,dense(16),gelu,"
                        + "add(dense(16),tanh),layernorm"), 5, Loss.CROSS_ENTROPY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0,11", "0,3,11", "0,4,7,11", "0,1,2,3,4,5,6,7,8,9,10,11"})
    void stagesGiveTheWholeNetworksBits(String cuts) {
        Network net = net();
        int[] b = Arrays.stream(cuts.split(",")).mapToInt(Integer::parseInt).toArray();
        assertThat(b[b.length - 1]).isEqualTo(net.nodes().size());
        long seed = 7;
        int rows = 6;
        SplitMix64 rng = new SplitMix64(seed);
        FloatMatrix x = new FloatMatrix(rows, 64);
        for (int i = 0; i < x.data().length; i++) {
            x.data()[i] = (float) rng.nextGaussian();
        }
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            y[r] = r % 5;
        }
        int[] examples = {3, 1, 4, 1, 5, 9};
        TrainingContext context = new TrainingContext(seed, 2, examples);
        float[] params = net.initialParameters(seed);
        float[] grad = new float[net.parameterCount()];
        Backpropagation bp = new Backpropagation(net, rows);
        double loss = bp.compute(BLAS, params, x, rows, y, grad, context);

        float[] stagedGrad = new float[net.parameterCount()];
        StagePass[] passes = new StagePass[b.length - 1];
        float[][] stageParams = new float[passes.length][];
        for (int k = 0; k < passes.length; k++) {
            NetworkStage stage = NetworkStage.of(net, b[k], b[k + 1]);
            stageParams[k] = stage.initialParameters(seed);
            assertThat(stageParams[k]).as("stage %d initial parameters", k).isEqualTo(
                    Arrays.copyOfRange(params, stage.parameterOffset(), stage.parameterOffset() + stage.parameterCount()));
            passes[k] = stage.newPass(rows);
            if (k == 0) {
                passes[k].forward(BLAS, stageParams[k], x, rows, context);
            } else {
                int width = stage.inputWidth();
                System.arraycopy(passes[k - 1].output(), 0, passes[k].inputBuffer(), 0, rows * width);
                passes[k].forward(BLAS, stageParams[k], null, rows, context);
            }
        }
        StagePass last = passes[passes.length - 1];
        assertThat(last.loss(y)).isEqualTo(loss);
        assertThat(last.hits()).isEqualTo(bp.correct());
        for (int k = passes.length - 1; k >= 0; k--) {
            NetworkStage stage = passes[k].stage();
            if (k < passes.length - 1) {
                System.arraycopy(passes[k + 1].inputGradient(), 0, passes[k].outputGradient(), 0,
                        rows * stage.outputWidth());
            }
            float[] g = new float[stage.parameterCount()];
            passes[k].backward(stageParams[k], g);
            System.arraycopy(g, 0, stagedGrad, stage.parameterOffset(), g.length);
        }
        assertThat(stagedGrad).isEqualTo(grad);
    }

    @Test
    void masksAndCostsCoverTheNetwork() {
        Network net = net();
        NetworkStage a = NetworkStage.of(net, 0, 4);
        NetworkStage c = NetworkStage.of(net, 4, net.nodes().size());
        assertThat(a.parameterCount() + c.parameterCount()).isEqualTo(net.parameterCount());
        assertThat(a.bufferMask()).isNotNull();
        assertThat(c.bufferMask()).isNull();
        boolean[] weights = new boolean[net.parameterCount()];
        System.arraycopy(a.weightMask(), 0, weights, 0, a.parameterCount());
        System.arraycopy(c.weightMask(), 0, weights, a.parameterCount(), c.parameterCount());
        assertThat(weights).isEqualTo(net.weightMask());
        long[][] costs = NetworkStage.layerCosts(net);
        assertThat(Arrays.stream(costs).mapToLong(cost -> cost[0]).sum()).isEqualTo(net.parameterCount());
        assertThat(Arrays.stream(costs).mapToLong(cost -> cost[1]).sum()).isEqualTo(net.forwardMacs());
        assertThat(a.isFirst()).isTrue();
        assertThat(c.isLast()).isTrue();
        assertThat(c.describe()).startsWith("layers 4..10 (layers[4] dropout(rate=0.25), layers[5] flatten");
    }

    @Test
    void emptyOrOutOfRangeStagesAreRefused() {
        Network net = net();
        assertThatThrownBy(() -> NetworkStage.of(net, 3, 3))
                .hasMessage("stage layers: [3, 3) (expected: a non-empty range within the network's 11 layers, "
                        + "output layer included)");
        assertThatThrownBy(() -> NetworkStage.of(net, 0, 12)).hasMessageStartingWith("stage layers: [0, 12)");
    }
}
