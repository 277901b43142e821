package io.ringfold.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.DataSpec.LoadedData;
import io.ringfold.data.Dataset;
import io.ringfold.data.Preprocessor;
import io.ringfold.dpsgd.DpSgdPlan;
import io.ringfold.eval.ClassificationMetrics;
import io.ringfold.eval.RegressionMetrics;
import io.ringfold.model.Model;
import io.ringfold.model.Provenance;
import io.ringfold.nn.LayerKind;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.nn.Shape;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;

import java.util.List;
import java.util.Optional;

/**
 * One complete training run on loaded data: hold out the test set (unless one was named) and the
 * validation set, fit the preprocessing on the training part only, decide the task and output layer,
 * train, and evaluate the resulting {@link Model} on the test set. Labels are checked here, at the
 * boundary, so training never meets a class index out of range.
 */
public final class TrainingRun {

    /** Stream identifiers of the two seeded splits, so they never share random numbers. */
    private static final long TEST_SPLIT_SALT = 0x54455354L;
    private static final long VALIDATION_SPLIT_SALT = 0x56414c49L;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a run produced: the model, the training history, the test evaluation (empty without a test set). */
    public record Outcome(Model model, TrainingResult result, ObjectNode evaluation, int trainRows, int testRows) {
    }

    private TrainingRun() {
    }

    /** A run with the single-process {@link Trainer}. */
    public static Outcome run(LoadedData data, TrainingConfig config, Blas blas, TrainingListener listener) {
        return run(data, config, blas, listener, new Trainer(config, blas)::fit);
    }

    /** A run whose parameters are fitted by {@code fitter} (which must use {@code config} and {@code blas}). */
    public static Outcome run(LoadedData data, TrainingConfig config, Blas blas, TrainingListener listener,
                              Fitter fitter) {
        return run(data, config, blas, listener, fitter, Preprocessing.FIT);
    }

    /**
     * The parts of a run's data: all rows, the training part (what the preprocessing is fitted on), the
     * validation part (null without a validation split) and the test set.
     */
    public record Parts(Dataset all, Dataset train, Dataset validation, Optional<Dataset> test) {
    }

    /**
     * {@code data} split as a run under {@code config} splits it: the test set held out ({@code testSplit}, seeded)
     * unless the data has one, then the validation part. {@code ringfold preprocess} fits on the same training
     * part, so that its stored preprocessing is the one the run would fit.
     */
    public static Parts split(LoadedData data, TrainingConfig config) {
        Dataset all = data.train();
        Dataset train = all;
        Optional<Dataset> test = data.test();
        if (test.isEmpty() && config.testSplit() > 0) {
            Dataset.Split s = all.split(config.testSplit(), config.seed() ^ TEST_SPLIT_SALT);
            train = s.rest();
            test = Optional.of(s.heldOut());
        }
        Dataset validation = null;
        if (config.validationSplit() > 0) {
            Dataset.Split s = train.split(config.validationSplit(), config.seed() ^ VALIDATION_SPLIT_SALT);
            train = s.rest();
            validation = s.heldOut();
        }
        return new Parts(all, train, validation, test);
    }

    /** A run fitted by {@code fitter} whose preprocessing comes from {@code preprocessing}. */
    public static Outcome run(LoadedData data, TrainingConfig config, Blas blas, TrainingListener listener,
                              Fitter fitter, Preprocessing preprocessing) {
        Parts parts = split(data, config);
        Dataset all = parts.all();
        Dataset train = parts.train();
        Dataset validation = parts.validation();
        Optional<Dataset> test = parts.test();
        Task task = Task.of(config, train);
        task.checkLabels("training", train);
        if (validation != null) {
            task.checkLabels("validation", validation);
        }
        test.ifPresent(t -> task.checkLabels("test", t));

        Preprocessor pre = preprocessing.preprocessor(train, config);
        Dataset trainX = pre.apply(train);
        Dataset valX = validation == null ? null : pre.apply(validation);
        Network net = config.network(config.exampleShape(trainX.exampleShape()), task.outputs(), task.loss());
        checkEmbeddingInput(net, pre);
        float[] weights = RowWeights.of(config, task.classes(), trainX.labels(), trainX.weights());
        TargetScaling scaling = task.classes() == 0 ? TargetScaling.fit(trainX.labels(), weights) : TargetScaling.NONE;
        TrainingResult result = fitter.fit(net, trainX.features(), scaling.apply(trainX.labels()), weights,
                valX == null ? null : valX.features(), valX == null ? null : scaling.apply(valX.labels()), listener);
        result = result.withParameters(scaling.fold(net, result.parameters()));
        Provenance provenance = Provenance.capture(config.toJson(), config.seed(), all.source(), train.fingerprint(),
                blas.name());
        DpSgdPlan dp = config.dpSgdPlan(net, trainX.size());
        if (dp != null) {
            // Every epoch run counts, an early stop's restored epoch too: its parameters saw the later steps' data
            // only through the choice to stop, which the validation rows, not the training rows, decide.
            provenance = provenance.withPrivacy(dp.toJson(dp.stepsPerEpoch() * result.epochs().size()));
        }
        Model model = new Model(net, result.parameters(), pre, task.classNames(), provenance);
        ObjectNode evaluation = test.map(t -> evaluate(model, blas, t)).orElseGet(JSON::createObjectNode);
        return new Outcome(model, result, evaluation, train.size(), test.map(Dataset::size).orElse(0));
    }

    /**
     * An embedding bag reads its input as token counts over a vocabulary, so the data must be a text column
     * alone: pixels or other columns would be taken for counts of tokens.
     */
    private static void checkEmbeddingInput(Network net, Preprocessor pre) {
        Network.Node first = net.nodes().get(0);
        if (first.spec().kind() != LayerKind.EMBEDDINGBAG) {
            return;
        }
        if (pre.text().isEmpty()) {
            throw new IllegalArgumentException(first.label() + ": the data has no text column (expected:"
                    + " csv:PATH?label=LABEL&text=COLUMN, whose token counts it embeds)");
        }
        int others = net.inputSize() - pre.text().get().vocabulary().size();
        if (others != 0) {
            throw new IllegalArgumentException(first.label() + ": the data has " + others + " columns besides the"
                    + " text's token counts (expected: the text column alone)");
        }
    }

    /**
     * Metrics of {@code model} on raw (not yet preprocessed) data: classification (a binary model's classes at its
     * decision threshold, as it predicts them) or regression.
     */
    public static ObjectNode evaluate(Model model, Blas blas, Dataset raw) {
        Dataset x = model.preprocessor().apply(raw);
        FloatMatrix out = model.predictPreprocessed(blas, x.features());
        if (model.isClassifier()) {
            return ClassificationMetrics.of(x.labels(), out.data(), model.threshold()).toJson();
        }
        return RegressionMetrics.of(x.labels(), out.data()).toJson();
    }

    /**
     * Whether {@code config} trains a regressor (linear, or mlp with mse loss) rather than a classifier;
     * shared with engines that assemble the run themselves (ringfold-spark).
     */
    public static boolean isRegression(TrainingConfig config) {
        return switch (config.model()) {
            case LINEAR -> true;
            case LOGISTIC, SOFTMAX -> false;
            case MLP -> config.loss() == Loss.MSE;
        };
    }

    /**
     * The network a run trains on examples of shape {@code input} (preprocessed) and {@code classes} classes
     * (ignored for a regressor): the same output layer and loss as {@link #run}, with the same checks.
     */
    public static Network network(TrainingConfig config, Shape input, int classes) {
        input = config.exampleShape(input);
        Task task = isRegression(config) ? Task.REGRESSION : Task.forClasses(config, classes, List.of());
        return config.network(input, task.outputs(), task.loss());
    }

    /** The task implied by the configuration and the training labels. */
    private record Task(Loss loss, int outputs, int classes, List<String> classNames) {

        static final Task REGRESSION = new Task(Loss.MSE, 1, 0, List.of());

        static Task of(TrainingConfig config, Dataset train) {
            if (isRegression(config)) {
                train.requireNumericLabels("regression (model " + config.model().id() + ")");
                return REGRESSION;
            }
            if (!train.integralLabels()) {
                throw new IllegalArgumentException("labels of " + train.source() + ": not class indices (expected: "
                        + "integers 0..K-1 for model " + config.model().id() + "; use --model linear or --loss mse "
                        + "for regression)");
            }
            List<String> names = train.schema().classNames();
            return forClasses(config, names.isEmpty() ? train.numClasses() : names.size(), names);
        }

        static Task forClasses(TrainingConfig config, int classes, List<String> names) {
            Loss loss = config.resolveLoss(classes);
            if (loss == Loss.BINARY_CROSS_ENTROPY && classes != 2) {
                throw new IllegalArgumentException("classes: " + classes + " (expected: 2 for logistic regression;"
                        + " use --model softmax for more)");
            }
            if (classes < 2) {
                throw new IllegalArgumentException("classes: " + classes + " (expected: at least 2 in the training labels)");
            }
            return new Task(loss, loss == Loss.BINARY_CROSS_ENTROPY ? 1 : classes, classes, names);
        }

        void checkLabels(String part, Dataset d) {
            if (classes == 0) {
                return;
            }
            float[] y = d.labels();
            for (int i = 0; i < y.length; i++) {
                float v = y[i];
                if (!(v >= 0 && v < classes && v == Math.rint(v))) {
                    throw new IllegalArgumentException(part + " label " + v + " at row " + (i + 1) + " of " + d.source()
                            + " (expected: a class index 0.." + (classes - 1) + ")");
                }
            }
        }
    }
}
