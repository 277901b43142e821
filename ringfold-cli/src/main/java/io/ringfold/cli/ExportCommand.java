package io.ringfold.cli;

import io.ringfold.model.Model;
import io.ringfold.model.ModelCodec;
import io.ringfold.onnx.OnnxExport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;

/**
 * {@code ringfold export --format onnx MODEL OUT.onnx}: a model, its preprocessing and decision rule included, as
 * an ONNX graph that takes the raw rows Ringfold's server takes (see {@link OnnxExport}).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a model for another runtime: ONNX (opset 17), preprocessing included, taking the raw rows"
                + " the server takes.")
final class ExportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", description = "Output format: onnx.")
    String format;

    @Option(names = "--force", description = "Replace OUT if it exists.")
    boolean force;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Model directory or model file.")
    Path modelPath;

    @Parameters(index = "1", paramLabel = "OUT", description = "File to write, e.g. model.onnx.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("onnx")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format: " + format + " (expected: onnx)");
        }
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException(out + ": exists (expected: a new file, or --force to replace it)");
        }
        Path dir = out.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(out + ": no directory " + dir + " (expected: an existing directory)");
        }
        Model model = ModelCodec.load(modelPath);
        OnnxExport.write(model, out);
        spec.commandLine().getOut().println("wrote " + out + ": ONNX opset " + OnnxExport.OPSET + ", input '"
                + OnnxExport.INPUT + "' " + (model.preprocessor().numeric() ? "FP32" : "STRING") + " [N, "
                + String.join(", ", Arrays.stream(OnnxExport.inputShape(model)).mapToObj(Integer::toString).toList())
                + "], outputs " + String.join(", ", OnnxExport.outputNames(model)) + " (" + Files.size(out) + " bytes)");
        return 0;
    }
}
