package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.DataSpec;
import io.ringfold.data.Dataset;
import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.tensor.Blas;
import io.ringfold.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ringfold evaluate}: metrics of a saved model on a data set. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluate a saved model on data: the data set's test part when it has one",
                "(fashion-mnist), else all of its rows. Prints the headline metrics on one line, then all of them",
                "(per-class precision, recall, F1 and support, confusion matrix) as JSON; --json: one JSON object."})
final class EvaluateCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory or file.")
    Path modelPath;

    @Option(names = "--data", required = true, paramLabel = "SPEC", description = "Data to evaluate on (as for train).")
    String data;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @picocli.CommandLine.Mixin
    MaskKeyFlag maskKey;

    @Override
    public Integer call() throws Exception {
        Model model = maskKey.bind(ModelCodec.load(modelPath), modelPath.toString());
        // Read against the model's columns, so that categories get the model's codes and unseen ones are known; the
        // raw cells masked as the training data's were.
        DataSpec.LoadedData loaded = DataSpec.parse(data).readAgainst(model.preprocessor().inputSchema(model.classNames()))
                .withMasks(model.preprocessor().masks()).load();
        Dataset d = loaded.test().orElse(loaded.train());
        if (d.numFeatures() != model.inputWidth()) {
            throw new IllegalArgumentException(data + ": " + d.numFeatures() + " feature columns (expected: "
                    + model.inputWidth() + ", the model's inputs)");
        }
        ObjectNode metrics = TrainingRun.evaluate(model, Blas.get(), d);
        ObjectNode r = JSON.createObjectNode();
        r.put("model_path", modelPath.toString());
        r.put("data", data);
        r.put("rows", d.size());
        r.setAll(metrics);
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            w.println(r.toString());
        } else {
            w.println(Results.headline(Results.headlineMetrics(metrics, "", JSON.createObjectNode()), ""));
            w.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(r));
        }
        return 0;
    }
}
