package io.ringfold.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ringfold inspect DIR}: architecture, provenance, evaluation and parameter digest of a model. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show a model's architecture, provenance and parameter_digest (SHA-256 of its parameters).")
final class InspectCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Model directory or model file.")
    Path path;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Model m = ModelCodec.load(path);
        ObjectNode evaluation = ModelCodec.evaluation(path);
        ObjectNode r = JSON.createObjectNode();
        r.put("model_path", path.toString());
        r.put("architecture", m.architecture().describe());
        r.put("inputs", m.inputWidth());
        r.putPOJO("input_columns", m.preprocessor().inputColumns());
        r.putPOJO("class_names", m.classNames());
        r.put("parameter_count", m.architecture().parameterCount());
        r.put("parameter_digest", m.parameterDigest());
        r.set("provenance", m.provenance().toJson());
        r.set("evaluation", evaluation);
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            w.println(JSON.writeValueAsString(r));
        } else {
            w.println("model:            " + m.architecture().describe());
            w.println("inputs:           " + m.inputWidth() + " raw columns -> " + m.architecture().inputs() + " features");
            if (m.isClassifier()) {
                w.println("classes:          " + m.classNames());
            }
            w.println("parameter_digest: " + m.parameterDigest());
            w.println("provenance:       " + JSON.writerWithDefaultPrettyPrinter().writeValueAsString(m.provenance().toJson())
                    .replace("\n", "\n                  "));
            if (evaluation.size() > 0) {
                w.println("evaluation:       " + evaluation);
            }
        }
        return 0;
    }
}
