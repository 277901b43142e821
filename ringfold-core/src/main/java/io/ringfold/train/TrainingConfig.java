package io.ringfold.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.Activation;
import io.ringfold.model.Loss;
import io.ringfold.model.ModelType;
import io.ringfold.optim.Adam;
import io.ringfold.optim.LearningRateSchedule;
import io.ringfold.optim.Momentum;
import io.ringfold.optim.Optimizer;
import io.ringfold.optim.Sgd;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * The hyperparameters of a training run, validated on construction, saved with the model and
 * convertible to and from JSON. Every field, its meaning and valid range:
 * <ul>
 *   <li>{@code model}: linear, logistic, softmax or mlp.</li>
 *   <li>{@code hidden}: hidden layer widths (mlp only), each &gt; 0.</li>
 *   <li>{@code activation}: hidden activation, relu, tanh, sigmoid or identity.</li>
 *   <li>{@code loss}: null for the model's default (classification: cross-entropy, or binary
 *       cross-entropy for logistic; regression: mse).</li>
 *   <li>{@code epochs}: passes over the training data, &gt; 0.</li>
 *   <li>{@code batchSize}: examples per step, &gt; 0.</li>
 *   <li>{@code optimizer}: sgd, momentum or adam; {@code learningRate} &gt; 0 and finite;
 *       {@code momentum} in (0, 1) with {@code nesterov}; Adam's {@code beta1}, {@code beta2} in [0, 1)
 *       and {@code epsilon} &gt; 0.</li>
 *   <li>{@code weightDecay}: L2 penalty added to the gradient of weights (not biases), &gt;= 0.</li>
 *   <li>{@code lrSchedule}: constant, step (times {@code lrGamma} every {@code lrStepEpochs}) or cosine
 *       (down to {@code lrMinFraction} of the base rate).</li>
 *   <li>{@code seed}: seeds initial weights, shuffles and splits; any long.</li>
 *   <li>{@code validationSplit}: fraction of the training data held out for validation, [0, 1);
 *       {@code patience}: epochs without a better validation loss before stopping early (0 = never),
 *       which needs a validation split.</li>
 *   <li>{@code testSplit}: fraction held out as the test set when none is named, [0, 1).</li>
 *   <li>{@code standardize}: fit per-feature standardisation on the training data.</li>
 * </ul>
 */
public record TrainingConfig(
        ModelType model, int[] hidden, Activation activation, Loss loss,
        int epochs, int batchSize,
        OptimizerKind optimizer, float learningRate, float momentum, boolean nesterov,
        float beta1, float beta2, float epsilon, float weightDecay,
        ScheduleKind lrSchedule, int lrStepEpochs, float lrGamma, float lrMinFraction,
        long seed, double validationSplit, int patience, double testSplit, boolean standardize) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public TrainingConfig {
        hidden = hidden == null ? new int[0] : hidden.clone();
        require(model != null, "model", model, "linear, logistic, softmax or mlp");
        require(activation != null, "activation", activation, "relu, tanh, sigmoid or identity");
        require(optimizer != null, "optimizer", optimizer, "sgd, momentum or adam");
        require(lrSchedule != null, "lrSchedule", lrSchedule, "constant, step or cosine");
        for (int h : hidden) {
            require(h > 0, "hidden", Arrays.toString(hidden), "every width > 0");
        }
        require(model == ModelType.MLP || hidden.length == 0, "hidden", Arrays.toString(hidden),
                "no hidden layers for model " + model.name().toLowerCase() + "; use --model mlp");
        require(model != ModelType.MLP || hidden.length > 0, "hidden", "[]", "at least one layer for mlp");
        require(epochs > 0, "epochs", epochs, "> 0");
        require(batchSize > 0, "batchSize", batchSize, "> 0");
        require(learningRate > 0 && Float.isFinite(learningRate), "learningRate", learningRate, "> 0");
        require(momentum > 0 && momentum < 1, "momentum", momentum, "0 < momentum < 1");
        require(beta1 >= 0 && beta1 < 1, "beta1", beta1, "0 <= beta1 < 1");
        require(beta2 >= 0 && beta2 < 1, "beta2", beta2, "0 <= beta2 < 1");
        require(epsilon > 0 && Float.isFinite(epsilon), "epsilon", epsilon, "> 0");
        require(weightDecay >= 0 && Float.isFinite(weightDecay), "weightDecay", weightDecay, ">= 0");
        require(lrStepEpochs > 0, "lrStepEpochs", lrStepEpochs, "> 0");
        require(lrGamma > 0 && lrGamma <= 1, "lrGamma", lrGamma, "0 < lrGamma <= 1");
        require(lrMinFraction >= 0 && lrMinFraction < 1, "lrMinFraction", lrMinFraction, "0 <= lrMinFraction < 1");
        require(validationSplit >= 0 && validationSplit < 1, "validationSplit", validationSplit, "0 <= f < 1");
        require(testSplit >= 0 && testSplit < 1, "testSplit", testSplit, "0 <= f < 1");
        require(patience >= 0, "patience", patience, ">= 0");
        require(patience == 0 || validationSplit > 0, "patience", patience,
                "0 unless validationSplit > 0 (early stopping watches the validation loss)");
        if (loss != null) {
            boolean ok = switch (model) {
                case LINEAR -> loss == Loss.MSE;
                case LOGISTIC -> loss == Loss.BINARY_CROSS_ENTROPY;
                case SOFTMAX -> loss == Loss.CROSS_ENTROPY;
                case MLP -> true;
            };
            require(ok, "loss", loss.id(), "the loss of model " + model.name().toLowerCase()
                    + " (linear: mse, logistic: binary-cross-entropy, softmax: cross-entropy)");
        }
    }

    /** The defaults: an MLP with one hidden layer of 128 ReLU units, Adam at 1e-3, batch 128, seed 42. */
    public static TrainingConfig defaults() {
        return new TrainingConfig(ModelType.MLP, new int[] {128}, Activation.RELU, null, 10, 128,
                OptimizerKind.ADAM, 1e-3f, 0.9f, false, 0.9f, 0.999f, 1e-8f, 0f,
                ScheduleKind.CONSTANT, 10, 0.1f, 0f, 42L, 0.0, 0, 0.2, true);
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    /** A fresh optimizer with these settings (each training run gets its own). */
    public Optimizer newOptimizer() {
        return switch (optimizer) {
            case SGD -> new Sgd();
            case MOMENTUM -> new Momentum(momentum, nesterov);
            case ADAM -> new Adam(beta1, beta2, epsilon);
        };
    }

    public LearningRateSchedule schedule() {
        return switch (lrSchedule) {
            case CONSTANT -> new LearningRateSchedule.Constant();
            case STEP -> new LearningRateSchedule.Step(lrStepEpochs, lrGamma);
            case COSINE -> new LearningRateSchedule.Cosine(lrMinFraction);
        };
    }

    /** The loss to train with, for a task with the given number of classes (0 = regression). */
    public Loss resolveLoss(int numClasses) {
        if (loss != null) {
            return loss;
        }
        return switch (model) {
            case LINEAR -> Loss.MSE;
            case LOGISTIC -> Loss.BINARY_CROSS_ENTROPY;
            case SOFTMAX -> Loss.CROSS_ENTROPY;
            case MLP -> numClasses == 0 ? Loss.MSE : Loss.CROSS_ENTROPY;
        };
    }

    public ObjectNode toJson() {
        ObjectNode n = JSON.createObjectNode();
        n.put("model", model.id());
        ArrayNode h = n.putArray("hidden");
        for (int w : hidden) {
            h.add(w);
        }
        n.put("activation", activation.id());
        if (loss != null) {
            n.put("loss", loss.id());
        } else {
            n.putNull("loss");
        }
        n.put("epochs", epochs);
        n.put("batchSize", batchSize);
        n.put("optimizer", optimizer.id());
        n.put("learningRate", learningRate);
        n.put("momentum", momentum);
        n.put("nesterov", nesterov);
        n.put("beta1", beta1);
        n.put("beta2", beta2);
        n.put("epsilon", epsilon);
        n.put("weightDecay", weightDecay);
        n.put("lrSchedule", lrSchedule.id());
        n.put("lrStepEpochs", lrStepEpochs);
        n.put("lrGamma", lrGamma);
        n.put("lrMinFraction", lrMinFraction);
        n.put("seed", seed);
        n.put("validationSplit", validationSplit);
        n.put("patience", patience);
        n.put("testSplit", testSplit);
        n.put("standardize", standardize);
        return n;
    }

    private static final Set<String> FIELDS = Set.of("model", "hidden", "activation", "loss", "epochs", "batchSize",
            "optimizer", "learningRate", "momentum", "nesterov", "beta1", "beta2", "epsilon", "weightDecay",
            "lrSchedule", "lrStepEpochs", "lrGamma", "lrMinFraction", "seed", "validationSplit", "patience",
            "testSplit", "standardize");

    /** Reads {@link #toJson} output; absent fields take the defaults, unknown fields are an error. */
    public static TrainingConfig fromJson(JsonNode n) {
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            String name = it.next().getKey();
            require(FIELDS.contains(name), "hyperparameter", name, "one of " + new java.util.TreeSet<>(FIELDS));
        }
        TrainingConfig d = defaults();
        int[] hidden = d.hidden;
        if (n.has("hidden")) {
            hidden = new int[n.get("hidden").size()];
            for (int i = 0; i < hidden.length; i++) {
                hidden[i] = n.get("hidden").get(i).asInt();
            }
        }
        JsonNode loss = n.get("loss");
        return new TrainingConfig(
                n.has("model") ? ModelType.parse(n.get("model").asText()) : d.model,
                hidden,
                n.has("activation") ? Activation.parse(n.get("activation").asText()) : d.activation,
                loss == null || loss.isNull() ? null : Loss.parse(loss.asText()),
                n.path("epochs").asInt(d.epochs), n.path("batchSize").asInt(d.batchSize),
                n.has("optimizer") ? OptimizerKind.parse(n.get("optimizer").asText()) : d.optimizer,
                (float) n.path("learningRate").asDouble(d.learningRate),
                (float) n.path("momentum").asDouble(d.momentum), n.path("nesterov").asBoolean(d.nesterov),
                (float) n.path("beta1").asDouble(d.beta1), (float) n.path("beta2").asDouble(d.beta2),
                (float) n.path("epsilon").asDouble(d.epsilon), (float) n.path("weightDecay").asDouble(d.weightDecay),
                n.has("lrSchedule") ? ScheduleKind.parse(n.get("lrSchedule").asText()) : d.lrSchedule,
                n.path("lrStepEpochs").asInt(d.lrStepEpochs), (float) n.path("lrGamma").asDouble(d.lrGamma),
                (float) n.path("lrMinFraction").asDouble(d.lrMinFraction),
                n.path("seed").asLong(d.seed), n.path("validationSplit").asDouble(d.validationSplit),
                n.path("patience").asInt(d.patience), n.path("testSplit").asDouble(d.testSplit),
                n.path("standardize").asBoolean(d.standardize));
    }

    private static void require(boolean ok, String name, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingConfig c && c.toJson().equals(toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return toJson().toString();
    }
}
