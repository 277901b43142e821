package io.ringfold.onnx;

import io.ringfold.data.Preprocessor;
import io.ringfold.model.Model;
import io.ringfold.model.Provenance;
import io.ringfold.nn.Network;
import onnx.Onnx.ModelProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a trained {@link Model} as an ONNX model (opset {@value #OPSET}, IR version {@value #IR_VERSION}, and the
 * ONNX ML domain at {@value #ML_OPSET} when categorical columns need its LabelEncoder) that takes what Ringfold's
 * server takes and gives what it gives, so a client sends the same raw rows to either runtime:
 * <ul>
 *   <li>one input, {@value #INPUT}: FP32 {@code [N, width]} raw rows in the model's input column order
 *   (missing values as NaN), or {@code [N, C, H, W]} for an image network whose preprocessing keeps every
 *   value in place; STRING {@code [N, width]} when some column is categorical (category names, numbers as
 *   text, missing cells as Ringfold spells them);</li>
 *   <li>a classifier's {@value #PROBABILITIES} FP32 {@code [N, classes]} and {@value #CLASS} STRING {@code [N]}
 *   (the predicted class's name, the binary threshold applied); a regressor's {@value #VALUE} FP32 {@code [N]}.</li>
 * </ul>
 * The batch dimension is {@code N}, dynamic. Preprocessing is part of the graph ({@link PreprocessingGraph}), the
 * layers follow ({@link NetworkGraph}), then the outputs ({@link OutputGraph}). A model with a text column is
 * refused ({@link UnsupportedModelException}): ONNX has no operator that tokenises as Ringfold does. Its
 * StringNormalizer (ONNX Runtime 1.20's CPU kernel) lower-cases one character at a time in a locale the host
 * must have installed ({@code en_US.UTF-8} by default), so with {@code C.UTF-8} "ΟΔΟΣ" becomes "οδοσ" where Java's
 * {@code toLowerCase(Locale.ROOT)} gives "οδος", and "İ" becomes "i" where Java gives "i̇".
 */
public final class OnnxExport {

    public static final long OPSET = 17;
    public static final long ML_OPSET = 3;
    /** The IR version of ONNX 1.12, which introduced opset 17: readable by every runtime that has that opset. */
    public static final long IR_VERSION = 8;

    public static final String INPUT = "input";
    public static final String PROBABILITIES = "probabilities";
    public static final String CLASS = "class";
    public static final String VALUE = "value";
    /** Parameters a single-file ONNX model holds, leaving room under protobuf's 2 GiB for the rest of the graph. */
    static final long MAX_PARAMETER_BYTES = 2_000_000_000L;
    /** The name of the dynamic batch dimension. */
    public static final String BATCH = "N";

    private OnnxExport() {
    }

    /**
     * The ONNX model of {@code model}.
     *
     * @throws UnsupportedModelException for a model with a text column, masked columns (other than dropped ones), or
     *                                   parameters beyond 2 GB
     */
    public static ModelProto toModelProto(Model model) {
        Preprocessor pre = model.preprocessor();
        pre.text().ifPresent(t -> {
            throw new UnsupportedModelException("text column '" + t.column() + "': not exportable to ONNX (ONNX Runtime"
                    + " lower-cases text one character at a time in the host's locale, Ringfold's tokenizer with Java's full"
                    + " Unicode case mapping, e.g. of a final capital sigma, so tokens and counts would differ; serve this"
                    + " model with ringfold serve)");
        });
        java.util.Map<String, io.ringfold.data.ColumnMask> masked = new java.util.LinkedHashMap<>(pre.masks().columns());
        masked.keySet().removeAll(pre.masks().droppedColumns());
        if (!masked.isEmpty()) {
            // A graph would need the key for hmac, and a client would send the raw values to any runtime.
            throw new UnsupportedModelException("masked columns " + masked.keySet() + ": not exportable to ONNX (the"
                    + " masks run on raw cells before the graph, hmac with a key the file must not hold; serve this model"
                    + " with ringfold serve --mask-key-file)");
        }
        long bytes = 4L * model.network().parameterCount();
        if (bytes > MAX_PARAMETER_BYTES) {
            throw new UnsupportedModelException("parameters: " + bytes + " bytes (expected: at most " + MAX_PARAMETER_BYTES
                    + "; an ONNX file is one protobuf message, under 2 GiB, and external data is not written)");
        }
        GraphBuilder g = new GraphBuilder();
        g.reserve(INPUT);
        for (String out : outputNames(model)) {
            g.reserve(out);
        }
        Network net = model.network();
        int[] example = inputShape(model);
        PreprocessingGraph preprocessing = new PreprocessingGraph(g, pre);
        String x = INPUT;
        if (preprocessing.changesRows()) {
            String rows = example.length == 1 ? x : reshape(g, x, -1, model.inputWidth());
            x = preprocessing.features(rows);
        }
        if (net.input().rank() > 1 && (example.length == 1 || preprocessing.changesRows())) {
            x = reshape(g, x, toLongs(-1, net.input().dims()));
        }
        String logits = new NetworkGraph(g, net, model.parameters()).layers(net.nodes(), x);
        OutputGraph.outputs(g, model, logits);

        g.graph().setName("ringfold").setDocString(net.describe());
        g.graph().addInput(valueInfo(INPUT, pre.numeric() ? TensorProto.DataType.FLOAT : TensorProto.DataType.STRING,
                toLongs(-1, example)));
        for (String out : outputNames(model)) {
            g.graph().addOutput(outputInfo(model, out));
        }
        ModelProto.Builder m = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("ringfold")
                .setProducerVersion(Provenance.libraryVersion()).setDocString(net.describe()).setGraph(g.graph())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        if (g.usesMl()) {
            m.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(GraphBuilder.ML_DOMAIN).setVersion(ML_OPSET));
        }
        metadata(m, "ringfold.parameter_digest", model.parameterDigest());
        metadata(m, "ringfold.input_columns", jsonArray(pre.inputColumns()));
        if (model.isClassifier()) {
            metadata(m, "ringfold.class_names", jsonArray(model.classNames()));
            if (net.outputs() == 1) {
                metadata(m, "ringfold.threshold", Double.toString(model.threshold()));
            }
        }
        return m.build();
    }

    /** {@link #toModelProto} serialised. */
    public static byte[] toBytes(Model model) {
        return toModelProto(model).toByteArray();
    }

    /**
     * Writes the ONNX model of {@code model} to {@code out}, replacing it atomically (a temporary file beside it
     * moved into place), so a reader never sees half a file.
     */
    public static void write(Model model, Path out) throws IOException {
        byte[] bytes = toBytes(model);
        Path dir = out.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, out.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The graph's outputs for {@code model}, in order: probabilities and class, or value. */
    public static List<String> outputNames(Model model) {
        return model.isClassifier() ? List.of(PROBABILITIES, CLASS) : List.of(VALUE);
    }

    /**
     * One example's shape at the input: the network's own (an image's {@code C, H, W}) where the raw row is that
     * image, value for value (numeric columns, none dropped), else the raw row's width. The server's Signature
     * decides the same way.
     */
    public static int[] inputShape(Model model) {
        int[] network = model.network().input().dims();
        boolean shaped = network.length > 1 && model.preprocessor().numeric()
                && model.network().inputSize() == model.inputWidth();
        return shaped ? network : new int[] {model.inputWidth()};
    }

    private static String reshape(GraphBuilder g, String x, long... dims) {
        return g.op("Reshape", List.of(x, g.longs("shape", dims, dims.length)));
    }

    private static long[] toLongs(long first, int[] rest) {
        long[] out = new long[rest.length + 1];
        out[0] = first;
        for (int i = 0; i < rest.length; i++) {
            out[i + 1] = rest[i];
        }
        return out;
    }

    private static ValueInfoProto outputInfo(Model model, String name) {
        return switch (name) {
            case PROBABILITIES -> valueInfo(name, TensorProto.DataType.FLOAT, -1, model.classNames().size());
            case CLASS -> valueInfo(name, TensorProto.DataType.STRING, -1);
            default -> model.network().outputs() == 1 ? valueInfo(name, TensorProto.DataType.FLOAT, -1)
                    : valueInfo(name, TensorProto.DataType.FLOAT, -1, model.network().outputs());
        };
    }

    /** A tensor's declared type; -1 is the dynamic batch dimension. */
    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
    }

    private static void metadata(ModelProto.Builder m, String key, String value) {
        m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key).setValue(value));
    }

    private static String jsonArray(List<String> values) {
        com.fasterxml.jackson.databind.node.ArrayNode a = new com.fasterxml.jackson.databind.ObjectMapper().createArrayNode();
        values.forEach(a::add);
        return a.toString();
    }
}
