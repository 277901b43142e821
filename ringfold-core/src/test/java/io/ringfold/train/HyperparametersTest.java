package io.ringfold.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ringfold.model.ModelType;
import io.ringfold.nn.LayerList;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one declaration of the training hyperparameters, and the record, JSON and text forms made from it. */
class HyperparametersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyFieldOfTheRecordIsDeclaredOnceInOrder() {
        assertThat(Hyperparameters.ALL.stream().map(Hyperparameter::name).toList()).containsExactlyElementsOf(
                Arrays.stream(TrainingConfig.class.getRecordComponents()).map(RecordComponent::getName).toList());
        assertThat(Hyperparameters.ALL.stream().map(Hyperparameter::flag).distinct()).hasSize(Hyperparameters.ALL.size())
                .allMatch(f -> f.startsWith("--"));
        TrainingConfig d = TrainingConfig.defaults();
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            if (h != Hyperparameters.HIDDEN) {
                Hyperparameter<Object> o = cast(h);
                assertThat(o.toJson(o.get(d))).as(h.name()).isEqualTo(o.toJson(o.defaultValue()));
            }
        }
        assertThat(d.hidden()).containsExactly(128);
    }

    @SuppressWarnings("unchecked")
    private static Hyperparameter<Object> cast(Hyperparameter<?> h) {
        return (Hyperparameter<Object>) h;
    }

    @Test
    void jsonRoundTripsEveryValue() throws Exception {
        TrainingConfig c = TrainingConfig.of(Map.of(Hyperparameters.LAYERS, LayerList.parse("conv2d(4,3,padding=1),"
                        + "relu,maxpool2d(2),flatten,dropout(0.25),dense(16),gelu"), Hyperparameters.INPUT_SHAPE,
                new int[] {1, 8, 8}, Hyperparameters.LEARNING_RATE, 3e-4f, Hyperparameters.BETA2, 0.98f,
                Hyperparameters.SEED, -7L, Hyperparameters.OPTIMIZER, OptimizerKind.MOMENTUM, Hyperparameters.NESTEROV,
                true, Hyperparameters.VALIDATION_SPLIT, 0.1, Hyperparameters.PATIENCE, 2));
        assertThat(c.hidden()).as("layers replace the default hidden width").isEmpty();
        TrainingConfig back = TrainingConfig.fromJson(JSON.readTree(JSON.writeValueAsString(c.toJson())));
        assertThat(back).isEqualTo(c);
        assertThat(back.learningRate()).isEqualTo(3e-4f);
        assertThat(LayerList.format(back.layers())).isEqualTo("conv2d(4,3,padding=1),relu,maxpool2d(2),flatten,"
                + "dropout(rate=0.25),dense(16),gelu");
        assertThat(back.inputShape()).containsExactly(1, 8, 8);
    }

    @Test
    void theTextFormsAreTheCommandLines() {
        assertThat(Hyperparameters.INPUT_SHAPE.parse("1x28x28")).containsExactly(1, 28, 28);
        assertThat(Hyperparameters.INPUT_SHAPE.parse("3,32,32")).containsExactly(3, 32, 32);
        assertThat(Hyperparameters.HIDDEN.parse("128, 64")).containsExactly(128, 64);
        assertThat(Hyperparameters.LEARNING_RATE.parse("1e-3")).isEqualTo(1e-3f);
        assertThat(Hyperparameters.MODEL.parse("Softmax")).isEqualTo(ModelType.SOFTMAX);
        assertThat(Hyperparameters.LAYERS.parse("embeddingbag(64)").get(0).intValue("dim")).isEqualTo(64);
        assertThat(Hyperparameters.INPUT_SHAPE.format(new int[] {1, 28, 28})).isEqualTo("1x28x28");
    }

    @Test
    void badValuesNameTheHyperparameterAndWhatIsExpected() throws Exception {
        assertThatThrownBy(() -> Hyperparameters.EPOCHS.parse("2.5")).hasMessage("epochs: 2.5 (expected: an integer, > 0)");
        assertThatThrownBy(() -> Hyperparameters.EPOCHS.parse("0")).hasMessage("epochs: 0 (expected: > 0)");
        assertThatThrownBy(() -> Hyperparameters.LEARNING_RATE.parse("NaN")).hasMessage("learningRate: NaN (expected: a number, > 0)");
        assertThatThrownBy(() -> Hyperparameters.HIDDEN.parse("128,-1")).hasMessage("hidden: 128,-1 (expected: every width > 0)");
        assertThatThrownBy(() -> Hyperparameters.INPUT_SHAPE.parse("1x0x28"))
                .hasMessage("inputShape: 1x0x28 (expected: positive dimensions such as 1x28x28)");
        assertThatThrownBy(() -> Hyperparameters.OPTIMIZER.parse("adagrad"))
                .hasMessage("optimizer: adagrad (expected: sgd, momentum or adam)");
        assertThatThrownBy(() -> Hyperparameters.LAYERS.parse("conv2d(20)")).hasMessageStartingWith(
                "layers[0] conv2d: kernel missing");
        assertThatThrownBy(() -> TrainingConfig.fromJson(JSON.readTree("{\"epochs\": \"ten\"}")))
                .hasMessage("epochs: \"ten\" (expected: an integer, > 0)");
        assertThatThrownBy(() -> TrainingConfig.fromJson(JSON.readTree("{\"nesterov\": 1}")))
                .hasMessage("nesterov: 1 (expected: true or false)");
        assertThatThrownBy(() -> TrainingConfig.fromJson(JSON.readTree("{\"epoch\": 3}")))
                .hasMessageStartingWith("hyperparameter: epoch (expected: one of [model, hidden,");
        assertThatThrownBy(() -> TrainingConfig.fromJson(JSON.readTree("{\"seed\": null}")))
                .hasMessage("seed: none (expected: an integer)");
    }

    @Test
    void theCombinationIsCheckedToo() {
        assertThatThrownBy(() -> TrainingConfig.of(Map.of(Hyperparameters.MODEL, ModelType.LINEAR,
                Hyperparameters.HIDDEN, new int[] {8}))).hasMessage("hidden: 8 (expected: no hidden layers for model"
                + " linear; use --model mlp)");
        assertThat(TrainingConfig.of(Map.of(Hyperparameters.MODEL, ModelType.LINEAR)).hidden())
                .as("no hidden default for a linear model").isEmpty();
        assertThatThrownBy(() -> TrainingConfig.of(Map.of(Hyperparameters.HIDDEN, new int[] {8}, Hyperparameters.LAYERS,
                LayerList.parse("dense(8)")))).hasMessageStartingWith("hidden: 8 (expected: none when layers are given");
        assertThatThrownBy(() -> TrainingConfig.defaults().with(Hyperparameters.PATIENCE, 3))
                .hasMessageStartingWith("patience: 3 (expected: 0 unless validationSplit > 0");
    }
}
