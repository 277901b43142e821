package io.ringfold.onnx;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.ringfold.data.CsvReader;
import io.ringfold.data.DataSpec;
import io.ringfold.model.Model;
import io.ringfold.model.ModelType;
import io.ringfold.train.Hyperparameters;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a client of the exported graph sees: the server's tensor names, datatypes and shapes, and the metadata. */
class GraphInterfaceTest {

    private static OrtSession session(Model m) throws Exception {
        return OrtEnvironment.getEnvironment().createSession(OnnxExport.toBytes(m), new OrtSession.SessionOptions());
    }

    private static TensorInfo tensor(Map<String, NodeInfo> infos, String name) {
        assertThat(infos).containsKey(name);
        return (TensorInfo) infos.get(name).getInfo();
    }

    @Test
    void classifierOfCategoricalRowsTakesStringsAndGivesProbabilitiesAndClassNames() throws Exception {
        Model m = TrainedModels.train(TrainedModels.tabular("penguins", "species", "island", "sex"),
                TrainedModels.config(Hyperparameters.MODEL, ModelType.SOFTMAX));
        try (OrtSession s = session(m)) {
            assertThat(s.getInputNames()).containsExactly(OnnxExport.INPUT);
            TensorInfo in = tensor(s.getInputInfo(), OnnxExport.INPUT);
            assertThat(in.type).isEqualTo(OnnxJavaType.STRING);
            assertThat(in.getShape()).containsExactly(-1, 6);
            assertThat(in.getDimensionNames()[0]).isEqualTo(OnnxExport.BATCH);
            assertThat(s.getOutputNames()).containsExactly(OnnxExport.PROBABILITIES, OnnxExport.CLASS);
            TensorInfo p = tensor(s.getOutputInfo(), OnnxExport.PROBABILITIES);
            assertThat(p.type).isEqualTo(OnnxJavaType.FLOAT);
            assertThat(p.getShape()).containsExactly(-1, 3);
            assertThat(tensor(s.getOutputInfo(), OnnxExport.CLASS).type).isEqualTo(OnnxJavaType.STRING);
            assertThat(s.getMetadata().getProducerName()).isEqualTo("ringfold");
            assertThat(s.getMetadata().getCustomMetadata())
                    .containsEntry("ringfold.class_names", "[\"Adelie\",\"Chinstrap\",\"Gentoo\"]")
                    .containsEntry("ringfold.parameter_digest", m.parameterDigest());
        }
    }

    @Test
    void regressorOfNumbersGivesOneValuePerRow() throws Exception {
        Model m = TrainedModels.train(TrainedModels.tabular("diabetes", "progression"),
                TrainedModels.config(Hyperparameters.MODEL, ModelType.LINEAR));
        try (OrtSession s = session(m)) {
            TensorInfo in = tensor(s.getInputInfo(), OnnxExport.INPUT);
            assertThat(in.type).isEqualTo(OnnxJavaType.FLOAT);
            assertThat(in.getShape()).containsExactly(-1, 10);
            assertThat(s.getOutputNames()).containsExactly(OnnxExport.VALUE);
            assertThat(tensor(s.getOutputInfo(), OnnxExport.VALUE).getShape()).containsExactly(-1);
        }
    }

    @Test
    void imageNetworkTakesImages() throws Exception {
        Model m = TrainedModels.train(TrainedModels.digits(), TrainedModels.config(Hyperparameters.MODEL, ModelType.MLP,
                Hyperparameters.LAYERS, "conv2d(2,3),relu,flatten", Hyperparameters.EPOCHS, 1));
        try (OrtSession s = session(m)) {
            assertThat(tensor(s.getInputInfo(), OnnxExport.INPUT).getShape()).containsExactly(-1, 1, 8, 8);
        }
    }

    /** A text column is refused in one line naming the column and the reason. */
    @Test
    void textColumnIsRefused() {
        DataSpec spam = new DataSpec.Csv(Path.of("../ringfold-cli/src/test/resources/io/ringfold/cli/spam-sample.csv"),
                new CsvReader().withLabelColumn("label").withTextColumn("text"), Optional.empty());
        Model m = TrainedModels.train(spam, TrainedModels.config(Hyperparameters.MODEL, ModelType.MLP,
                Hyperparameters.LAYERS, "embeddingbag(4),relu", Hyperparameters.EPOCHS, 1));
        assertThatThrownBy(() -> OnnxExport.toModelProto(m)).isInstanceOf(UnsupportedModelException.class)
                .hasMessageStartingWith("text column 'text': not exportable to ONNX (")
                .hasMessageNotContaining("\n");
    }
}
