package io.ringfold.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.Architecture;
import io.ringfold.model.ModelType;
import io.ringfold.nn.Activation;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.ReferenceBlas;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class FullBatchFitTest {

    private static TrainingConfig config(String json) throws Exception {
        ObjectNode n = TrainingConfig.defaults().toJson();
        n.setAll((ObjectNode) new ObjectMapper().readTree(json));
        return TrainingConfig.fromJson(n);
    }

    private static Network net(ModelType type, int d) {
        return new Architecture(type, d, new int[0], Activation.IDENTITY, 1,
                type == ModelType.LINEAR ? Loss.MSE : Loss.BINARY_CROSS_ENTROPY).toNetwork();
    }

    /** Two identical columns: the normal equations are singular, L-BFGS solves it instead and says so. */
    @Test
    void aSingularSystemFallsBackToLbfgsWithANote() throws Exception {
        FloatMatrix x = new FloatMatrix(40, 2);
        float[] y = new float[40];
        for (int i = 0; i < 40; i++) {
            x.set(i, 0, i % 7);
            x.set(i, 1, i % 7);
            y[i] = 3 * (i % 7) - 1;
        }
        TrainingResult r = new Trainer(config("{\"model\":\"linear\",\"hidden\":[],\"tol\":1e-12}"),
                new ReferenceBlas()).fit(net(ModelType.LINEAR, 2), x, y, null, null, null, TrainingListener.NONE);
        assertThat(r.solver().solver()).isEqualTo("lbfgs");
        assertThat(r.solver().notes()).anySatisfy(n -> assertThat(n).startsWith("normal equations: the system is singular"));
        float[] p = r.parameters();
        // Any split of the slope 3 between the twin columns fits exactly; L-BFGS from zero splits it evenly.
        assertThat((double) p[0] + p[1]).isCloseTo(3, within(1e-4));
        assertThat((double) p[2]).isCloseTo(-1, within(1e-4));
    }

    @Test
    void separableDataAreNotedAndWithoutAPenaltyTheWeightsKeepGrowing() throws Exception {
        FloatMatrix x = new FloatMatrix(20, 1);
        float[] y = new float[20];
        for (int i = 0; i < 20; i++) {
            x.set(i, 0, i - 9.5f);
            y[i] = i >= 10 ? 1 : 0;
        }
        TrainingResult penalised = new Trainer(config("{\"model\":\"logistic\",\"hidden\":[]}"), new ReferenceBlas())
                .fit(net(ModelType.LOGISTIC, 1), x, y, null, null, null, TrainingListener.NONE);
        assertThat(penalised.solver().converged()).isTrue();
        assertThat(penalised.solver().notes()).anySatisfy(n -> assertThat(n).contains("perfectly separable")
                .contains("keeps the weights finite"));
        TrainingResult free = new Trainer(config("{\"model\":\"logistic\",\"hidden\":[],\"l2\":0,\"maxIter\":40}"),
                new ReferenceBlas()).fit(net(ModelType.LOGISTIC, 1), x, y, null, null, null, TrainingListener.NONE);
        assertThat(free.solver().notes()).anySatisfy(n -> assertThat(n).contains("perfectly separable")
                .contains("set --l2"));
        assertThat(Math.abs(free.parameters()[0])).isGreaterThan(10 * Math.abs(penalised.parameters()[0]));
    }

    @Test
    void aRunOutOfIterationsSaysSo() throws Exception {
        FloatMatrix x = new FloatMatrix(30, 3);
        float[] y = new float[30];
        for (int i = 0; i < 30; i++) {
            for (int j = 0; j < 3; j++) {
                x.set(i, j, (float) Math.sin(i * (j + 1)));
            }
            y[i] = x.get(i, 0) + x.get(i, 2) > 0 ? 1 : 0;
            if (i % 5 == 0) {
                y[i] = 1 - y[i];
            }
        }
        TrainingResult r = new Trainer(config("{\"model\":\"logistic\",\"hidden\":[],\"maxIter\":2,\"tol\":0}"),
                new ReferenceBlas()).fit(net(ModelType.LOGISTIC, 3), x, y, null, null, null, TrainingListener.NONE);
        assertThat(r.solver().converged()).isFalse();
        assertThat(r.solver().iterations()).isEqualTo(2);
        assertThat(r.epochs()).hasSize(2);
        assertThat(r.solver().notes()).contains("did not converge in 2 iterations (max-iter): raise --max-iter or --tol");
    }
}
