package io.ringfold.federated;

import io.ringfold.data.Dataset;
import io.ringfold.data.Preprocessor;
import io.ringfold.nn.Network;
import io.ringfold.nn.Shape;
import io.ringfold.tensor.Blas;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.Trainer;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingResult;
import io.ringfold.train.TrainingRun;

/**
 * A client's side of a round: the coordinator's configuration and network on the client's own rows (standardised
 * as the run's TASK says, by the core's {@link Preprocessor}), trained for the local epochs from the global
 * parameters with the single-process {@link Trainer} (FedProx's proximal term when mu > 0), and the delta from the
 * global parameters, which is all that leaves the client.
 */
final class LocalTraining {

    private final TrainingConfig config;
    private final Network network;
    private final Dataset raw;
    /** The rows as last standardised, and by what (null: raw); a run keeps one standardisation, applied once. */
    private Preprocessor applied;
    private Dataset data;
    private final int localEpochs;
    private final float proximalMu;
    private final Blas blas = Blas.get();

    LocalTraining(TrainingConfig config, int classes, int localEpochs, float proximalMu, Dataset data) {
        this.config = config;
        this.network = TrainingRun.network(config, data.exampleShape(), Math.max(classes, 2));
        this.raw = data;
        this.data = data;
        this.localEpochs = localEpochs;
        this.proximalMu = proximalMu;
        if (!TrainingRun.isRegression(config)) {
            float[] y = data.labels();
            for (int i = 0; i < y.length; i++) {
                if (!(y[i] >= 0 && y[i] < classes && y[i] == Math.rint(y[i]))) {
                    throw new IllegalArgumentException("label " + y[i] + " at " + data.where(i) + " (expected: a class "
                            + "index 0.." + (classes - 1) + ", the coordinator's " + classes + " classes)");
                }
            }
        }
    }

    int parameterCount() {
        return network.parameterCount();
    }

    /**
     * The local parameters after training from {@code global} on the rows standardised by {@code standardisation}
     * (null: raw), minus {@code global}.
     */
    float[] delta(float[] global, long seed, Preprocessor standardisation) {
        if (!java.util.Objects.equals(standardisation, applied)) {
            data = standardisation == null ? raw : standardisation.apply(raw);
            applied = standardisation;
        }
        TrainingConfig local = config.with(Hyperparameters.EPOCHS, localEpochs).with(Hyperparameters.SEED, seed);
        TrainingResult r = new Trainer(local, blas).fitFrom(network, global, proximalMu, data.features(), data.labels(),
                TrainingListener.NONE);
        float[] p = r.parameters();
        for (int i = 0; i < p.length; i++) {
            p[i] -= global[i];
        }
        return p;
    }

    static Shape shape(Dataset data) {
        return data.exampleShape();
    }
}
