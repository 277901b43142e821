package io.ringfold.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.ImputeStrategy;
import io.ringfold.data.UnseenCategories;
import io.ringfold.dpsgd.DpSettings;
import io.ringfold.dpsgd.DpSgdPlan;
import io.ringfold.model.Architecture;
import io.ringfold.model.ModelType;
import io.ringfold.nn.Activation;
import io.ringfold.nn.LayerList;
import io.ringfold.nn.LayerSpec;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.nn.Shape;
import io.ringfold.optim.Adam;
import io.ringfold.optim.LearningRateSchedule;
import io.ringfold.optim.Momentum;
import io.ringfold.optim.Optimizer;
import io.ringfold.optim.Sgd;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The hyperparameters of a training run, validated on construction, saved with the model and convertible to
 * and from JSON. Each field's meaning, default and valid values are declared once in {@link Hyperparameters};
 * the constructor adds what the values must say together (hidden layers only for an mlp, {@code layers} in place
 * of {@code hidden}, a loss that fits the model, patience only with a validation split).
 */
public record TrainingConfig(
        ModelType model, int[] hidden, Activation activation, Loss loss,
        int epochs, int batchSize,
        OptimizerKind optimizer, float learningRate, float momentum, boolean nesterov,
        float beta1, float beta2, float epsilon, float weightDecay,
        ScheduleKind lrSchedule, int lrStepEpochs, float lrGamma, float lrMinFraction,
        long seed, double validationSplit, int patience, double testSplit, boolean standardize,
        List<LayerSpec> layers, int[] inputShape,
        SolverKind solver, int maxIter, double tol, Double l2, double l1, ClassWeight classWeight, double threshold,
        ImputeStrategy impute, UnseenCategories unseenCategories,
        double dpClip, double dpNoiseMultiplier, double dpEpsilon, double dpDelta, boolean dpSecureRng) {

    public TrainingConfig {
        hidden = Hyperparameters.HIDDEN.check(hidden == null ? new int[0] : hidden.clone());
        layers = Hyperparameters.LAYERS.check(layers == null ? List.of() : List.copyOf(layers));
        inputShape = Hyperparameters.INPUT_SHAPE.check(inputShape == null ? new int[0] : inputShape.clone());
        Hyperparameters.MODEL.check(model);
        Hyperparameters.ACTIVATION.check(activation);
        Hyperparameters.LOSS.check(loss);
        Hyperparameters.EPOCHS.check(epochs);
        Hyperparameters.BATCH_SIZE.check(batchSize);
        Hyperparameters.OPTIMIZER.check(optimizer);
        Hyperparameters.LEARNING_RATE.check(learningRate);
        Hyperparameters.MOMENTUM.check(momentum);
        Hyperparameters.NESTEROV.check(nesterov);
        Hyperparameters.BETA1.check(beta1);
        Hyperparameters.BETA2.check(beta2);
        Hyperparameters.EPSILON.check(epsilon);
        Hyperparameters.WEIGHT_DECAY.check(weightDecay);
        Hyperparameters.LR_SCHEDULE.check(lrSchedule);
        Hyperparameters.LR_STEP_EPOCHS.check(lrStepEpochs);
        Hyperparameters.LR_GAMMA.check(lrGamma);
        Hyperparameters.LR_MIN_FRACTION.check(lrMinFraction);
        Hyperparameters.SEED.check(seed);
        Hyperparameters.VALIDATION_SPLIT.check(validationSplit);
        Hyperparameters.PATIENCE.check(patience);
        Hyperparameters.TEST_SPLIT.check(testSplit);
        Hyperparameters.STANDARDIZE.check(standardize);
        Hyperparameters.SOLVER.check(solver);
        Hyperparameters.MAX_ITER.check(maxIter);
        Hyperparameters.TOL.check(tol);
        Hyperparameters.L2.check(l2);
        Hyperparameters.L1.check(l1);
        Hyperparameters.CLASS_WEIGHT.check(classWeight);
        Hyperparameters.THRESHOLD.check(threshold);
        Hyperparameters.IMPUTE.check(impute);
        Hyperparameters.UNSEEN_CATEGORIES.check(unseenCategories);
        Hyperparameters.DP_CLIP.check(dpClip);
        Hyperparameters.DP_NOISE_MULTIPLIER.check(dpNoiseMultiplier);
        Hyperparameters.DP_EPSILON.check(dpEpsilon);
        Hyperparameters.DP_DELTA.check(dpDelta);
        Hyperparameters.DP_SECURE_RNG.check(dpSecureRng);
        // What the values say together.
        require(model == ModelType.MLP || hidden.length == 0, "hidden", Hyperparameters.HIDDEN.format(hidden),
                "no hidden layers for model " + model.id() + "; use --model mlp");
        require(model != ModelType.MLP || hidden.length > 0 || !layers.isEmpty(), "hidden", "none",
                "at least one layer for mlp");
        require(layers.isEmpty() || model == ModelType.MLP, "layers", LayerList.format(layers), "none for model "
                + model.id() + "; layers define an mlp network");
        require(layers.isEmpty() || hidden.length == 0, "hidden", Hyperparameters.HIDDEN.format(hidden),
                "none when layers are given (the layers replace --hidden)");
        require(patience == 0 || validationSplit > 0, "patience", patience,
                "0 unless validationSplit > 0 (early stopping watches the validation loss)");
        require(!solver.fullBatch() || model != ModelType.MLP, "solver", solver.id(),
                "sgd, adam or auto for a network (lbfgs, owlqn and normal fit linear, logistic and softmax models)");
        require(solver != SolverKind.NORMAL || model == ModelType.LINEAR, "solver", solver.id(),
                "not normal for model " + model.id() + " (the normal equations solve least squares: --model linear)");
        require(l1 == 0 || solver == SolverKind.AUTO || solver == SolverKind.OWLQN, "l1", l1,
                "0 unless the solver is owlqn or auto (lbfgs and normal need a smooth objective; mini-batches have "
                        + "--weight-decay)");
        require(l1 == 0 || model != ModelType.MLP, "l1", l1, "0 for a network (use --weight-decay)");
        // DP-SGD: a clip norm and one way to set the noise, or none of it; only mini-batches can be private.
        if (dpClip == 0) {
            require(dpNoiseMultiplier == 0, "dpNoiseMultiplier", dpNoiseMultiplier,
                    "0 unless dpClip > 0 (a private run clips each example's gradient to --dp-clip)");
            require(dpEpsilon == 0, "dpEpsilon", dpEpsilon, "0 unless dpClip > 0 (a private run clips each example's "
                    + "gradient to --dp-clip)");
            require(dpDelta == 0, "dpDelta", dpDelta, "0 unless dpClip > 0 (a private run)");
            require(!dpSecureRng, "dpSecureRng", true, "false unless dpClip > 0 (a private run)");
        } else {
            require(Double.isFinite(dpClip), "dpClip", dpClip, "a finite norm");
            require(dpNoiseMultiplier > 0 ^ dpEpsilon > 0, "dpNoiseMultiplier", dpNoiseMultiplier
                    + " and dpEpsilon " + dpEpsilon, "one of them > 0 in a private run (--dp-noise-multiplier sigma, "
                    + "or --dp-epsilon for the least sigma that stays within it)");
            require(!solver.fullBatch(), "solver", solver.id(), "sgd, adam or auto in a private run (--dp-clip): "
                    + "DP-SGD clips and noises mini-batch gradients, a full-batch solver's are not private");
            require(l1 == 0, "l1", l1, "0 in a private run (a full-batch penalty; use --weight-decay)");
        }
        if (loss != null) {
            boolean ok = switch (model) {
                case LINEAR -> loss == Loss.MSE;
                case LOGISTIC -> loss == Loss.BINARY_CROSS_ENTROPY;
                case SOFTMAX -> loss == Loss.CROSS_ENTROPY;
                case MLP -> true;
            };
            require(ok, "loss", loss.id(), "the loss of model " + model.id()
                    + " (linear: mse, logistic: binary-cross-entropy, softmax: cross-entropy)");
        }
    }

    /** The defaults: an MLP with one hidden layer of 128 ReLU units, Adam at 1e-3, batch 128, seed 42. */
    public static TrainingConfig defaults() {
        return of(Map.of());
    }

    /**
     * The configuration with the {@code given} values (each of its hyperparameter's type) and every other
     * hyperparameter's default. The default of {@code hidden} depends on the rest: 128 for an mlp without
     * layers, none otherwise.
     */
    public static TrainingConfig of(Map<Hyperparameter<?>, ?> given) {
        Map<Hyperparameter<?>, Object> v = new HashMap<>();
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            v.put(h, given.containsKey(h) ? given.get(h) : h.defaultValue());
        }
        if (!given.containsKey(Hyperparameters.HIDDEN) && (v.get(Hyperparameters.MODEL) != ModelType.MLP
                || !((List<?>) v.get(Hyperparameters.LAYERS)).isEmpty())) {
            v.put(Hyperparameters.HIDDEN, new int[0]);
        }
        @SuppressWarnings("unchecked")
        List<LayerSpec> layers = (List<LayerSpec>) v.get(Hyperparameters.LAYERS);
        return new TrainingConfig((ModelType) v.get(Hyperparameters.MODEL), (int[]) v.get(Hyperparameters.HIDDEN),
                (Activation) v.get(Hyperparameters.ACTIVATION), (Loss) v.get(Hyperparameters.LOSS),
                (Integer) v.get(Hyperparameters.EPOCHS), (Integer) v.get(Hyperparameters.BATCH_SIZE),
                (OptimizerKind) v.get(Hyperparameters.OPTIMIZER), (Float) v.get(Hyperparameters.LEARNING_RATE),
                (Float) v.get(Hyperparameters.MOMENTUM), (Boolean) v.get(Hyperparameters.NESTEROV),
                (Float) v.get(Hyperparameters.BETA1), (Float) v.get(Hyperparameters.BETA2),
                (Float) v.get(Hyperparameters.EPSILON), (Float) v.get(Hyperparameters.WEIGHT_DECAY),
                (ScheduleKind) v.get(Hyperparameters.LR_SCHEDULE), (Integer) v.get(Hyperparameters.LR_STEP_EPOCHS),
                (Float) v.get(Hyperparameters.LR_GAMMA), (Float) v.get(Hyperparameters.LR_MIN_FRACTION),
                (Long) v.get(Hyperparameters.SEED), (Double) v.get(Hyperparameters.VALIDATION_SPLIT),
                (Integer) v.get(Hyperparameters.PATIENCE), (Double) v.get(Hyperparameters.TEST_SPLIT),
                (Boolean) v.get(Hyperparameters.STANDARDIZE), layers, (int[]) v.get(Hyperparameters.INPUT_SHAPE),
                (SolverKind) v.get(Hyperparameters.SOLVER), (Integer) v.get(Hyperparameters.MAX_ITER),
                (Double) v.get(Hyperparameters.TOL), (Double) v.get(Hyperparameters.L2),
                (Double) v.get(Hyperparameters.L1), (ClassWeight) v.get(Hyperparameters.CLASS_WEIGHT),
                (Double) v.get(Hyperparameters.THRESHOLD), (ImputeStrategy) v.get(Hyperparameters.IMPUTE),
                (UnseenCategories) v.get(Hyperparameters.UNSEEN_CATEGORIES), (Double) v.get(Hyperparameters.DP_CLIP),
                (Double) v.get(Hyperparameters.DP_NOISE_MULTIPLIER), (Double) v.get(Hyperparameters.DP_EPSILON),
                (Double) v.get(Hyperparameters.DP_DELTA), (Boolean) v.get(Hyperparameters.DP_SECURE_RNG));
    }

    /** This configuration with {@code h} set to {@code value}, the other values kept. */
    public <T> TrainingConfig with(Hyperparameter<T> h, T value) {
        Map<Hyperparameter<?>, Object> v = new HashMap<>();
        for (Hyperparameter<?> each : Hyperparameters.ALL) {
            v.put(each, each.get(this));
        }
        v.put(h, value);
        return of(v);
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    @Override
    public int[] inputShape() {
        return inputShape.clone();
    }

    /**
     * The shape of one example: {@code inputShape} when given (it must hold as many values as the data's
     * examples), else the data's own {@code dataShape}.
     */
    public Shape exampleShape(Shape dataShape) {
        if (inputShape.length == 0) {
            return dataShape;
        }
        Shape s = Shape.of(inputShape);
        require(s.size() == dataShape.size(), "inputShape", s + " (" + s.size() + " values)",
                "as many values as an example has, " + dataShape.size());
        return s;
    }

    /**
     * The network this configuration trains on examples of shape {@code input}, with {@code outputs} outputs and
     * {@code loss}: its layers on the data's shape, or for a classic family (linear, logistic, softmax, an mlp
     * of --hidden) the dense network on the example flattened to a vector.
     */
    public Network network(Shape input, int outputs, Loss loss) {
        if (!layers.isEmpty()) {
            return Network.of(input, layers, outputs, loss);
        }
        return new Architecture(model, input.size(), hidden, activation, outputs, loss).toNetwork();
    }

    /**
     * The solver this run uses on {@code features} input columns ({@link SolverKind#resolve}); {@code AUTO} for a
     * network, which steps through mini-batches with {@link #newOptimizer}.
     */
    public SolverKind resolvedSolver(int features) {
        if (isPrivate() && solver == SolverKind.AUTO) {
            return SolverKind.AUTO; // a private run steps through mini-batches whatever the model
        }
        return solver.resolve(model, features, l1 > 0);
    }

    /** Whether this is a private run (DP-SGD: {@code dpClip > 0}); see {@code io.ringfold.dpsgd.DpSgdPlan}. */
    public boolean isPrivate() {
        return dpSettings().isPrivate();
    }

    /** The DP-SGD flags of this configuration. */
    public DpSettings dpSettings() {
        return new DpSettings(dpClip, dpNoiseMultiplier, dpEpsilon, dpDelta, dpSecureRng);
    }

    /** The DP-SGD plan of this configuration training {@code net} on {@code rows} examples; null when not private. */
    public DpSgdPlan dpSgdPlan(Network net, int rows) {
        return DpSgdPlan.of(dpSettings(), batchSize, epochs, net, rows);
    }

    /**
     * The L2 penalty on the mean loss: {@code l2} when given, else {@code 1 / rows} for logistic and softmax
     * (scikit-learn's default {@code C = 1} on the summed loss) and 0 for linear models and networks.
     */
    public double resolvedL2(long rows) {
        if (l2 != null) {
            return l2;
        }
        return model == ModelType.LOGISTIC || model == ModelType.SOFTMAX ? 1.0 / Math.max(1, rows) : 0;
    }

    /** A fresh optimizer with these settings (each training run gets its own); {@code --solver sgd|adam} names it. */
    public Optimizer newOptimizer() {
        OptimizerKind kind = solver == SolverKind.SGD ? OptimizerKind.SGD
                : solver == SolverKind.ADAM ? OptimizerKind.ADAM : optimizer;
        return switch (kind) {
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
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        for (Hyperparameter<?> h : Hyperparameters.ALL) {
            n.set(h.name(), json(h));
        }
        return n;
    }

    private <T> JsonNode json(Hyperparameter<T> h) {
        return h.toJson(h.get(this));
    }

    /**
     * Reads {@link #toJson} output; absent fields take the defaults, unknown fields and values of the wrong type
     * are errors naming the field.
     */
    public static TrainingConfig fromJson(JsonNode n) {
        require(n.isObject(), "config", n.getNodeType(), "an object of hyperparameters");
        Map<Hyperparameter<?>, Object> given = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            Hyperparameter<?> h = Hyperparameters.byName(field.getKey()).orElseThrow(() -> new IllegalArgumentException(
                    "hyperparameter: " + field.getKey() + " (expected: one of " + Hyperparameters.ALL + ")"));
            given.put(h, h.fromJson(field.getValue()));
        }
        return of(given);
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
