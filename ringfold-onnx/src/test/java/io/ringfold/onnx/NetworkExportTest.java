package io.ringfold.onnx;

import io.ringfold.data.DataSpec;
import io.ringfold.data.Dataset;
import io.ringfold.data.Preprocessor;
import io.ringfold.model.Model;
import io.ringfold.model.ModelType;
import io.ringfold.model.Provenance;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.ReferenceBlas;
import io.ringfold.train.Hyperparameters;
import io.ringfold.train.Trainer;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Networks of every layer kind, trained briefly on the bundled digits (as 1x8x8 images) or the wine fixture,
 * exported and run in ONNX Runtime: every output within 1e-5 of Ringfold's and the same classes.
 */
class NetworkExportTest {

    /** The first {@code n} digits as raw rows of 64 pixels. */
    private static float[][] digitRows(int n) {
        Dataset d = DataSpec.Digits.class.cast(TrainedModels.digits()).load().train();
        float[] x = ((FloatMatrix) d.features()).data();
        float[][] rows = new float[n][];
        for (int r = 0; r < n; r++) {
            rows[r] = java.util.Arrays.copyOfRange(x, r * 64, r * 64 + 64);
        }
        return rows;
    }

    private static Model digits(String layers) {
        return TrainedModels.train(TrainedModels.digits(), TrainedModels.config(Hyperparameters.MODEL, ModelType.MLP,
                Hyperparameters.LAYERS, layers, Hyperparameters.EPOCHS, 2, Hyperparameters.BATCH_SIZE, 64));
    }

    private static Model wine(String layers) {
        return TrainedModels.train(TrainedModels.tabular("wine", "cultivar"), TrainedModels.config(
                Hyperparameters.MODEL, ModelType.MLP, Hyperparameters.LAYERS, layers, Hyperparameters.EPOCHS, 10,
                Hyperparameters.BATCH_SIZE, 16));
    }

    private static float[][] wineRows() throws Exception {
        return TrainedModels.numbers(TrainedModels.cells(TrainedModels.TABULAR.resolve("wine-test.csv"), "cultivar"));
    }

    /** Padding, strides other than the window, batch normalisation of channels, dropout, pooling of both kinds. */
    @Test
    void convolutionalNetworkTakesImages() throws Exception {
        Model m = digits("conv2d(4,3,padding=1),batchnorm,relu,maxpool2d(2),dropout(0.2),conv2d(6,3,stride=1,padding=1),"
                + "relu,avgpool2d(3,stride=1),flatten,dense(16),relu");
        assertThat(OnnxExport.inputShape(m)).containsExactly(1, 8, 8);
        Predictions.assertExportAgrees(m, digitRows(200));
    }

    @Test
    void globalAveragePoolingAndAResidualBlockOfConvolutions() throws Exception {
        Model m = digits("conv2d(6,3,padding=1),relu,add(conv2d(6,3,padding=1),relu,conv2d(6,3,padding=1)),"
                + "layernorm,globalavgpool,dense(8),tanh");
        Predictions.assertExportAgrees(m, digitRows(200));
    }

    @Test
    void layerNormalisationAndEveryActivation() throws Exception {
        Model m = wine("dense(16),layernorm,gelu,dense(16),leakyrelu(0.1),dense(8),tanh,dense(8),sigmoid,dense(8),relu");
        Predictions.assertExportAgrees(m, wineRows());
    }

    @Test
    void residualBlockAndBatchNormalisationOfVectors() throws Exception {
        Model m = wine("dense(16),relu,add(dense(16),relu,dense(16)),batchnorm,relu");
        Predictions.assertExportAgrees(m, wineRows());
    }

    /**
     * embeddingbag reads token counts; the digits' pixels (integers 0..16) serve as counts over a vocabulary of
     * 64, with an all-zero row (a text without tokens). Trained directly: a text column, which TrainingRun pairs
     * it with, is not exportable.
     */
    @Test
    void embeddingBagsOfBothModes() throws Exception {
        float[][] rows = digitRows(300);
        rows[0] = new float[64];
        FloatMatrix x = new FloatMatrix(rows.length, 64);
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, x.data(), r * 64, 64);
        }
        float[] y = DataSpec.Digits.class.cast(TrainedModels.digits()).load().train().labels();
        y = java.util.Arrays.copyOf(y, rows.length);
        for (String mode : List.of("mean", "sum")) {
            Network net = Network.builder().input(64).embeddingbag(8, mode).relu().output(10, Loss.CROSS_ENTROPY);
            TrainingConfig cfg = TrainedModels.config(Hyperparameters.MODEL, ModelType.MLP, Hyperparameters.LAYERS,
                    "embeddingbag(8," + mode + "),relu", Hyperparameters.EPOCHS, 2, Hyperparameters.BATCH_SIZE, 32);
            float[] params = new Trainer(cfg, new ReferenceBlas()).fit(net, x, y, null, null, TrainingListener.NONE)
                    .parameters();
            Model m = new Model(net, params, Preprocessor.identity(64), List.of(), Provenance.capture(cfg.toJson(), cfg.seed(), "digits as counts", "none", "reference"));
            Predictions.assertExportAgrees(m, rows);
        }
    }
}
