package io.ringfold.train;

import io.ringfold.data.ImputeStrategy;
import io.ringfold.data.UnseenCategories;
import io.ringfold.model.ModelType;
import io.ringfold.nn.Activation;
import io.ringfold.nn.LayerSpec;
import io.ringfold.nn.Loss;

import java.util.List;
import java.util.Optional;

/**
 * Every training hyperparameter, declared once: {@link TrainingConfig} validates and serialises through these,
 * {@code ringfold train} makes its flags from them and the Spark estimators their Params.
 */
public final class Hyperparameters {

    private Hyperparameters() {
    }

    public static final Hyperparameter<ModelType> MODEL = new Hyperparameter<>("model", "--model", "modelType",
            ValueType.word(ModelType::parse, ModelType::id), ModelType.MLP, v -> true,
            "linear, logistic, softmax or mlp",
            "Model family: linear, logistic, softmax, or mlp (a network: --hidden or --layers).",
            TrainingConfig::model);

    public static final Hyperparameter<int[]> HIDDEN = new Hyperparameter<>("hidden", "--hidden", "hiddenLayers",
            ValueType.INTS, new int[] {128}, Hyperparameters::allPositive, "every width > 0",
            "Hidden dense layer widths of an mlp, e.g. 128,64 (default 128 for an mlp without --layers, else none).",
            TrainingConfig::hidden);

    public static final Hyperparameter<Activation> ACTIVATION = new Hyperparameter<>("activation", "--activation",
            "activation", ValueType.word(Activation::parse, Activation::id), Activation.RELU, v -> true,
            "relu, tanh, sigmoid or identity", "Activation after each --hidden layer: relu, tanh, sigmoid or identity.",
            TrainingConfig::activation);

    public static final Hyperparameter<List<LayerSpec>> LAYERS = new Hyperparameter<>("layers", "--layers", "layers",
            ValueType.LAYERS, List.of(), v -> true, "layers such as conv2d(20,5),relu,maxpool2d(2),flatten,dense(128)",
            "The hidden layers of a network, name(args) separated by commas, e.g. 'conv2d(20,5),relu,maxpool2d(2),"
                    + "flatten,dense(500),relu'; the output layer follows from the data and the loss (docs/networks.md).",
            TrainingConfig::layers);

    public static final Hyperparameter<int[]> INPUT_SHAPE = new Hyperparameter<>("inputShape", "--input-shape",
            "inputShape", ValueType.SHAPE, new int[0], Hyperparameters::allPositive, "positive dimensions such as 1x28x28",
            "The shape of one example, e.g. 1x28x28, where the data does not say it (CSV and Spark vectors); default: "
                    + "the data's own (IDX images and digits are images, other rows vectors).",
            TrainingConfig::inputShape);

    public static final Hyperparameter<Loss> LOSS = new Hyperparameter<>("loss", "--loss", null,
            ValueType.word(Loss::parse, Loss::id), null, v -> true, "mse, binary-cross-entropy or cross-entropy",
            "mse, binary-cross-entropy or cross-entropy (default: by model and labels; an mlp with mse is a regressor).",
            TrainingConfig::loss);

    public static final Hyperparameter<Integer> EPOCHS = new Hyperparameter<>("epochs", "--epochs", "epochs",
            ValueType.INT, 10, v -> v > 0, "> 0", "Passes over the training data.", TrainingConfig::epochs);

    public static final Hyperparameter<Integer> BATCH_SIZE = new Hyperparameter<>("batchSize", "--batch-size",
            "batchSize", ValueType.INT, 128, v -> v > 0, "> 0", "Examples per optimizer step, over all workers.",
            TrainingConfig::batchSize);

    public static final Hyperparameter<OptimizerKind> OPTIMIZER = new Hyperparameter<>("optimizer", "--optimizer",
            "optimizer", ValueType.word(OptimizerKind::parse, OptimizerKind::id), OptimizerKind.ADAM, v -> true,
            "sgd, momentum or adam", "Optimizer: adam, sgd or momentum.", TrainingConfig::optimizer);

    public static final Hyperparameter<Float> LEARNING_RATE = new Hyperparameter<>("learningRate", "--lr",
            "learningRate", ValueType.FLOAT, 1e-3f, v -> v > 0, "> 0", "Learning rate (step size).",
            TrainingConfig::learningRate);

    public static final Hyperparameter<Float> MOMENTUM = new Hyperparameter<>("momentum", "--momentum", "momentum",
            ValueType.FLOAT, 0.9f, v -> v > 0 && v < 1, "0 < momentum < 1",
            "Momentum coefficient of --optimizer momentum.", TrainingConfig::momentum);

    public static final Hyperparameter<Boolean> NESTEROV = new Hyperparameter<>("nesterov", "--nesterov", "nesterov",
            ValueType.BOOLEAN, false, v -> true, "true or false", "Nesterov momentum for --optimizer momentum.",
            TrainingConfig::nesterov);

    public static final Hyperparameter<Float> BETA1 = new Hyperparameter<>("beta1", "--beta1", "beta1",
            ValueType.FLOAT, 0.9f, v -> v >= 0 && v < 1, "0 <= beta1 < 1", "Adam's decay of the gradient's mean.",
            TrainingConfig::beta1);

    public static final Hyperparameter<Float> BETA2 = new Hyperparameter<>("beta2", "--beta2", "beta2",
            ValueType.FLOAT, 0.999f, v -> v >= 0 && v < 1, "0 <= beta2 < 1", "Adam's decay of the squared gradient's mean.",
            TrainingConfig::beta2);

    public static final Hyperparameter<Float> EPSILON = new Hyperparameter<>("epsilon", "--epsilon", "epsilon",
            ValueType.FLOAT, 1e-8f, v -> v > 0, "> 0", "Adam's denominator term.", TrainingConfig::epsilon);

    public static final Hyperparameter<Float> WEIGHT_DECAY = new Hyperparameter<>("weightDecay", "--weight-decay",
            "weightDecay", ValueType.FLOAT, 0f, v -> v >= 0, ">= 0", "L2 penalty on weights, not biases.",
            TrainingConfig::weightDecay);

    public static final Hyperparameter<ScheduleKind> LR_SCHEDULE = new Hyperparameter<>("lrSchedule", "--lr-schedule",
            "lrSchedule", ValueType.word(ScheduleKind::parse, ScheduleKind::id), ScheduleKind.CONSTANT, v -> true,
            "constant, step or cosine", "Learning-rate schedule: constant, step (times --lr-gamma every "
                    + "--lr-step-epochs) or cosine (per step, down to --lr-min-fraction of the rate).",
            TrainingConfig::lrSchedule);

    public static final Hyperparameter<Integer> LR_STEP_EPOCHS = new Hyperparameter<>("lrStepEpochs",
            "--lr-step-epochs", "lrStepEpochs", ValueType.INT, 10, v -> v > 0, "> 0",
            "Epochs between decays of the step schedule.", TrainingConfig::lrStepEpochs);

    public static final Hyperparameter<Float> LR_GAMMA = new Hyperparameter<>("lrGamma", "--lr-gamma", "lrGamma",
            ValueType.FLOAT, 0.1f, v -> v > 0 && v <= 1, "0 < lrGamma <= 1", "Decay factor of the step schedule.",
            TrainingConfig::lrGamma);

    public static final Hyperparameter<Float> LR_MIN_FRACTION = new Hyperparameter<>("lrMinFraction",
            "--lr-min-fraction", "lrMinFraction", ValueType.FLOAT, 0f, v -> v >= 0 && v < 1, "0 <= lrMinFraction < 1",
            "Where the cosine schedule ends, as a fraction of the learning rate.", TrainingConfig::lrMinFraction);

    public static final Hyperparameter<Long> SEED = new Hyperparameter<>("seed", "--seed", "seed", ValueType.LONG, 42L,
            v -> true, "an integer", "Seed of every random choice: initial weights, shuffles, splits, dropout.",
            TrainingConfig::seed);

    public static final Hyperparameter<Double> VALIDATION_SPLIT = new Hyperparameter<>("validationSplit",
            "--validation-split", null, ValueType.DOUBLE, 0.0, v -> v >= 0 && v < 1, "0 <= f < 1",
            "Fraction of the training data held out for validation.", TrainingConfig::validationSplit);

    public static final Hyperparameter<Integer> PATIENCE = new Hyperparameter<>("patience", "--patience", null,
            ValueType.INT, 0, v -> v >= 0, ">= 0",
            "Stop after N epochs without a better validation loss (0: never; needs --validation-split).",
            TrainingConfig::patience);

    public static final Hyperparameter<Double> TEST_SPLIT = new Hyperparameter<>("testSplit", "--test-split", null,
            ValueType.DOUBLE, 0.2, v -> v >= 0 && v < 1, "0 <= f < 1",
            "Fraction held out as the test set when the data has none.", TrainingConfig::testSplit);

    public static final Hyperparameter<Boolean> STANDARDIZE = new Hyperparameter<>("standardize", "--no-standardize",
            "standardization", ValueType.BOOLEAN, true, v -> true, "true or false",
            "Do not standardise features (by default each is scaled to mean 0, variance 1 on the training data).",
            TrainingConfig::standardize);

    public static final Hyperparameter<SolverKind> SOLVER = new Hyperparameter<>("solver", "--solver", "solver",
            ValueType.word(SolverKind::parse, SolverKind::id), SolverKind.AUTO, v -> true,
            "auto, lbfgs, owlqn, normal, sgd or adam",
            "How to fit: lbfgs or owlqn (full-batch quasi-Newton; owlqn with --l1), normal (the normal equations of "
                    + "least squares), sgd or adam (mini-batches); auto: normal for linear with at most 4,096 features, "
                    + "owlqn with --l1, lbfgs for other linear, logistic and softmax models, --optimizer for networks.",
            TrainingConfig::solver);

    public static final Hyperparameter<Integer> MAX_ITER = new Hyperparameter<>("maxIter", "--max-iter", "maxIter",
            ValueType.INT, 100, v -> v > 0, "> 0", "Iterations of the lbfgs and owlqn solvers at most.",
            TrainingConfig::maxIter);

    public static final Hyperparameter<Double> TOL = new Hyperparameter<>("tol", "--tol", "tol", ValueType.DOUBLE,
            1e-6, v -> v >= 0, ">= 0", "Convergence tolerance of lbfgs and owlqn: stop when an iteration improves the "
                    + "objective by less than tol x max(|objective|, 1), or the largest gradient entry is below tol.",
            TrainingConfig::tol);

    public static final Hyperparameter<Double> L2 = new Hyperparameter<>("l2", "--l2", null, ValueType.DOUBLE, null,
            v -> v >= 0 && Double.isFinite(v), ">= 0",
            "L2 penalty (l2/2) ||w||^2 on the mean loss, on standardised features, intercept not penalised (default: "
                    + "1/rows for logistic and softmax, scikit-learn's C=1; 0 for linear and networks).",
            TrainingConfig::l2);

    public static final Hyperparameter<Double> L1 = new Hyperparameter<>("l1", "--l1", null, ValueType.DOUBLE, 0.0,
            v -> v >= 0 && Double.isFinite(v), ">= 0",
            "L1 penalty l1 ||w||_1 on the mean loss (solver owlqn), on standardised features, intercept not penalised.",
            TrainingConfig::l1);

    public static final Hyperparameter<ClassWeight> CLASS_WEIGHT = new Hyperparameter<>("classWeight", "--class-weight",
            "classWeight", ValueType.word(ClassWeight::parse, ClassWeight::id), ClassWeight.NONE, v -> true,
            "none or balanced", "Class weights: none, or balanced (class k's rows weigh rows / (classes x rows of k)).",
            TrainingConfig::classWeight);

    public static final Hyperparameter<Double> THRESHOLD = new Hyperparameter<>("threshold", "--threshold",
            "threshold", ValueType.DOUBLE, 0.5, v -> v >= 0 && v <= 1, "0 <= threshold <= 1",
            "A binary classifier predicts class 1 when its probability exceeds this.", TrainingConfig::threshold);

    public static final Hyperparameter<ImputeStrategy> IMPUTE = new Hyperparameter<>("impute", "--impute", null,
            ValueType.word(ImputeStrategy::parse, ImputeStrategy::id), ImputeStrategy.MEAN, v -> true,
            "mean, median or most-frequent",
            "What a missing numeric cell becomes: the training column's mean, median or most frequent value.",
            TrainingConfig::impute);

    public static final Hyperparameter<UnseenCategories> UNSEEN_CATEGORIES = new Hyperparameter<>("unseenCategories",
            "--unseen-categories", null, ValueType.word(UnseenCategories::parse, UnseenCategories::id),
            UnseenCategories.ZERO, v -> true, "zero or error",
            "A category not seen in training, at evaluation or prediction: zero (all its one-hot columns 0) or error.",
            TrainingConfig::unseenCategories);

    public static final Hyperparameter<Double> DP_CLIP = new Hyperparameter<>("dpClip", "--dp-clip", "dpClip",
            ValueType.DOUBLE, 0.0, v -> v >= 0, ">= 0",
            "DP-SGD: clip each example's gradient to this L2 norm and train privately (Poisson-sampled batches, "
                    + "Gaussian noise; with --dp-noise-multiplier or --dp-epsilon); 0: not private (docs/privacy.md).",
            TrainingConfig::dpClip);

    public static final Hyperparameter<Double> DP_NOISE_MULTIPLIER = new Hyperparameter<>("dpNoiseMultiplier",
            "--dp-noise-multiplier", "dpNoiseMultiplier", ValueType.DOUBLE, 0.0, v -> v >= 0, ">= 0",
            "DP-SGD: the noise's standard deviation as a multiple of --dp-clip (sigma); or give --dp-epsilon.",
            TrainingConfig::dpNoiseMultiplier);

    public static final Hyperparameter<Double> DP_EPSILON = new Hyperparameter<>("dpEpsilon", "--dp-epsilon",
            "dpEpsilon", ValueType.DOUBLE, 0.0, v -> v >= 0, ">= 0",
            "DP-SGD: the epsilon to stay within over all planned steps; the noise multiplier is the least that does "
                    + "(RDP accountant); or give --dp-noise-multiplier.", TrainingConfig::dpEpsilon);

    public static final Hyperparameter<Double> DP_DELTA = new Hyperparameter<>("dpDelta", "--dp-delta", "dpDelta",
            ValueType.DOUBLE, 0.0, v -> v >= 0 && v < 1, "0 <= delta < 1",
            "DP-SGD: the delta of the (epsilon, delta) guarantee; 0: the largest power of ten below 1/N "
                    + "(1e-5 for 60,000 training rows).", TrainingConfig::dpDelta);

    public static final Hyperparameter<Boolean> DP_SECURE_RNG = new Hyperparameter<>("dpSecureRng", "--dp-secure-rng",
            "dpSecureRng", ValueType.BOOLEAN, false, v -> true, "true or false",
            "DP-SGD: draw the noise from SecureRandom instead of the seed (for production; the run is then not "
                    + "reproducible).", TrainingConfig::dpSecureRng);

    /** All of them, in {@link TrainingConfig}'s order. */
    public static final List<Hyperparameter<?>> ALL = List.of(MODEL, HIDDEN, ACTIVATION, LOSS, EPOCHS, BATCH_SIZE,
            OPTIMIZER, LEARNING_RATE, MOMENTUM, NESTEROV, BETA1, BETA2, EPSILON, WEIGHT_DECAY, LR_SCHEDULE,
            LR_STEP_EPOCHS, LR_GAMMA, LR_MIN_FRACTION, SEED, VALIDATION_SPLIT, PATIENCE, TEST_SPLIT, STANDARDIZE,
            LAYERS, INPUT_SHAPE, SOLVER, MAX_ITER, TOL, L2, L1, CLASS_WEIGHT, THRESHOLD, IMPUTE, UNSEEN_CATEGORIES,
            DP_CLIP, DP_NOISE_MULTIPLIER, DP_EPSILON, DP_DELTA, DP_SECURE_RNG);

    /** What only mini-batch training uses: given to a full-batch solve, they would be silently ignored. */
    public static final List<Hyperparameter<?>> MINI_BATCH_ONLY = List.of(EPOCHS, BATCH_SIZE, OPTIMIZER, LEARNING_RATE,
            MOMENTUM, NESTEROV, BETA1, BETA2, EPSILON, WEIGHT_DECAY, LR_SCHEDULE, LR_STEP_EPOCHS, LR_GAMMA,
            LR_MIN_FRACTION, PATIENCE, DP_CLIP, DP_NOISE_MULTIPLIER, DP_EPSILON, DP_DELTA, DP_SECURE_RNG);

    /** What only the full-batch solvers use. */
    public static final List<Hyperparameter<?>> FULL_BATCH_ONLY = List.of(MAX_ITER, TOL, L2, L1);

    public static Optional<Hyperparameter<?>> byName(String name) {
        return ALL.stream().filter(h -> h.name().equals(name)).findFirst();
    }

    private static boolean allPositive(int[] values) {
        for (int v : values) {
            if (v <= 0) {
                return false;
            }
        }
        return true;
    }
}
