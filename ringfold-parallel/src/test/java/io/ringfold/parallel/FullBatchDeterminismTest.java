package io.ringfold.parallel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.Architecture;
import io.ringfold.model.ModelType;
import io.ringfold.nn.Activation;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.train.Trainer;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The full-batch solvers give the same parameters, bit for bit, on one worker thread and on two, three and four
 * (with 8 logical shards, 3 not a divisor), with row weights, and as the single-process trainer with its 8 blocks.
 */
class FullBatchDeterminismTest {

    private static TrainingConfig config(String json) throws Exception {
        ObjectNode n = TrainingConfig.defaults().toJson();
        n.setAll((ObjectNode) new ObjectMapper().readTree(json));
        return TrainingConfig.fromJson(n);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"linear, normal, 0", "linear, lbfgs, 0", "logistic, lbfgs, 0", "logistic, owlqn, 0.01",
            "softmax, lbfgs, 0", "softmax, auto, 0.003"})
    void sameBitsForOneToFourWorkersAndTheSingleProcessTrainer(String model, String solver, double l1)
            throws Exception {
        int n = 307;
        int d = 6;
        SplitMix64 rng = new SplitMix64(17);
        FloatMatrix x = new FloatMatrix(n, d);
        float[] y = new float[n];
        float[] w = new float[n];
        int classes = model.equals("softmax") ? 3 : 2;
        for (int i = 0; i < n; i++) {
            double t = 0;
            for (int j = 0; j < d; j++) {
                float v = (float) rng.nextGaussian();
                x.set(i, j, v);
                t += (j - 2.5) * v;
            }
            y[i] = model.equals("linear") ? (float) (t + rng.nextGaussian())
                    : (float) Math.floorMod((long) Math.floor(t / 2 + rng.nextGaussian()), classes);
            w[i] = (float) (0.25 + rng.nextDouble());
        }
        ModelType type = ModelType.parse(model);
        Loss loss = switch (type) {
            case LINEAR -> Loss.MSE;
            case LOGISTIC -> Loss.BINARY_CROSS_ENTROPY;
            default -> Loss.CROSS_ENTROPY;
        };
        Network net = new Architecture(type, d, new int[0], Activation.IDENTITY, type == ModelType.SOFTMAX ? 3 : 1,
                loss).toNetwork();
        TrainingConfig cfg = config("{\"model\":\"" + model + "\",\"hidden\":[],\"solver\":\"" + solver
                + "\",\"l1\":" + l1 + ",\"l2\":0.01,\"tol\":1e-9}");
        Blas blas = BlasSelection.createRequested(1);
        TrainingResult single = new Trainer(cfg, blas).fit(net, x, y, w, null, null, TrainingListener.NONE);
        assertThat(single.solver()).isNotNull();
        assertThat(single.solver().iterations()).isPositive();
        for (int workers = 1; workers <= 4; workers++) {
            TrainingResult r = WorkerThreads.fitter(cfg, blas, workers, 8, Duration.ofSeconds(30))
                    .fit(net, x, y, w, null, null, TrainingListener.NONE);
            assertThat(r.parameters()).as("%d workers", workers).containsExactly(single.parameters());
            assertThat(r.solver()).as("%d workers", workers).isEqualTo(single.solver());
        }
    }
}
