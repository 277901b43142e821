package io.ringfold.model;

import io.ringfold.data.Preprocessor;
import io.ringfold.io.ModelFile;
import io.ringfold.io.NamedTensor;
import io.ringfold.nn.ForwardPass;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.nn.Prepared;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A trained model: an immutable value holding the network, a private copy of the parameters, the
 * preprocessing fitted on the training data (applied identically at prediction time), the class names of
 * a classifier, and the provenance. Its outputs are class probabilities (N×K; N×1 = P(class 1) for binary
 * logistic regression) or regression values (N×1).
 */
public final class Model {

    private final Network network;
    private final float[] parameters;
    private final Preprocessor preprocessor;
    private final List<String> classNames;
    private final Provenance provenance;
    /** The prediction path's packed weights: derived from the parameters, built once. */
    private final Prepared prepared;

    public Model(Network network, float[] parameters, Preprocessor preprocessor, List<String> classNames,
                 Provenance provenance) {
        if (parameters.length != network.parameterCount()) {
            throw new IllegalArgumentException("parameters: " + parameters.length + " (expected: "
                    + network.parameterCount() + " for " + network.describe() + ")");
        }
        if (preprocessor.outputWidth() != network.inputSize()) {
            throw new IllegalArgumentException("preprocessor output width: " + preprocessor.outputWidth()
                    + " (expected: the network's " + network.inputSize() + " inputs, " + network.input() + ")");
        }
        Loss loss = network.loss();
        int classes = loss == Loss.BINARY_CROSS_ENTROPY ? 2 : loss == Loss.CROSS_ENTROPY ? network.outputs() : 0;
        if (!classNames.isEmpty() && classNames.size() != classes) {
            throw new IllegalArgumentException("classNames: " + classNames.size() + " names (expected: " + classes + ")");
        }
        this.network = network;
        this.parameters = parameters.clone();
        this.preprocessor = preprocessor;
        this.classNames = classes > 0 && classNames.isEmpty() ? numberedClasses(classes) : List.copyOf(classNames);
        this.provenance = provenance;
        this.prepared = Prepared.of(network, this.parameters);
    }

    /** A model of one of the classic families (linear, logistic, softmax, a dense MLP): {@link Architecture#toNetwork()}. */
    public Model(Architecture architecture, float[] parameters, Preprocessor preprocessor, List<String> classNames,
                 Provenance provenance) {
        this(architecture.toNetwork(), parameters, preprocessor, classNames, provenance);
    }

    /**
     * This model with {@code key} bound to its preprocessing's {@code hmac} columns, so that it can mask raw rows;
     * itself when no column is {@code hmac}.
     *
     * @throws IllegalArgumentException for a key other than the one it was trained with (by fingerprint)
     */
    public Model withMaskKey(io.ringfold.data.MaskKey key) {
        Preprocessor p = preprocessor.withMaskKey(key);
        return p == preprocessor ? this : new Model(network, parameters, p, classNames, provenance);
    }

    private static List<String> numberedClasses(int k) {
        List<String> names = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            names.add(Integer.toString(i));
        }
        return names;
    }

    public Network network() {
        return network;
    }

    /** A copy of the flat parameter vector (see {@link Network} for the layout). */
    public float[] parameters() {
        return parameters.clone();
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    public Provenance provenance() {
        return provenance;
    }

    public boolean isClassifier() {
        return network.loss().isClassification();
    }

    /** Class names, label i meaning classNames().get(i); empty for regression. */
    public List<String> classNames() {
        return classNames;
    }

    /** Width of a raw input row (before preprocessing). */
    public int inputWidth() {
        return preprocessor.inputWidth();
    }

    /**
     * Outputs for rows that are already preprocessed (as in training), in batches of at most 1024 rows.
     * Batch invariant: a row's outputs have the same bits whatever rows share the call, in whatever order,
     * dense or sparse, and whichever {@code blas} computes them (it only chooses the threads; see
     * {@link ForwardPass#predict}). They can differ in the last bits from the training forward pass on
     * another BLAS.
     */
    public FloatMatrix predictPreprocessed(Blas blas, Matrix x) {
        int n = x.rows();
        int k = network.outputs();
        FloatMatrix out = new FloatMatrix(n, k);
        int batch = Math.max(1, Math.min(1024, n));
        ForwardPass pass = new ForwardPass(network, batch);
        int[] index = new int[n];
        for (int i = 0; i < n; i++) {
            index[i] = i;
        }
        for (int from = 0; from < n; from += batch) {
            int rows = Math.min(batch, n - from);
            Matrix xb = from == 0 && rows == n ? x : x.gatherRows(index, from, from + rows);
            logits(blas, xb, rows, pass);
            pass.applyOutputActivation(rows);
            System.arraycopy(pass.output(), 0, out.data(), from * k, rows * k);
        }
        return out;
    }

    /**
     * The prediction path's forward pass over rows {@code [0, rows)} of preprocessed {@code x}, leaving the
     * logits in {@code pass.output()} (before {@link ForwardPass#applyOutputActivation}), for callers that
     * want them too or batch rows themselves. Batch invariant, as {@link #predictPreprocessed}.
     */
    public void logits(Blas blas, Matrix x, int rows, ForwardPass pass) {
        if (!pass.network().equals(network)) {
            throw new IllegalArgumentException("pass: for " + pass.network().describe() + " (expected: "
                    + network.describe() + ")");
        }
        pass.predict(blas, parameters, prepared, x, rows);
    }

    /** Outputs for raw numeric rows laid out as the training data was before preprocessing. */
    public FloatMatrix predictRaw(Blas blas, float[][] rows) {
        FloatMatrix x = new FloatMatrix(rows.length, network.inputSize());
        for (int r = 0; r < rows.length; r++) {
            float[] t = preprocessor.transformRow(rows[r]);
            System.arraycopy(t, 0, x.data(), r * t.length, t.length);
        }
        return predictPreprocessed(blas, x);
    }

    /**
     * The predicted class of each output row: argmax, or for a single sigmoid output class 1 when P(class 1)
     * exceeds the {@link #threshold} (as MLlib and scikit-learn decide at 0.5).
     */
    public int[] predictedClasses(FloatMatrix outputs) {
        int[] cls = new int[outputs.rows()];
        int k = outputs.cols();
        float[] d = outputs.data();
        double t = threshold();
        for (int r = 0; r < cls.length; r++) {
            cls[r] = k == 1 ? (d[r] > t ? 1 : 0) : io.ringfold.tensor.Kernels.argmax(d, r * k, k);
        }
        return cls;
    }

    /**
     * A binary classifier's decision threshold on P(class 1): the {@code threshold} hyperparameter it was trained
     * with (0.5 for models saved before there was one).
     */
    public double threshold() {
        com.fasterxml.jackson.databind.JsonNode t = provenance.hyperparameters().get("threshold");
        return t != null && t.isNumber() ? t.asDouble() : 0.5;
    }

    /**
     * Class probabilities of row {@code r} of classifier outputs: the row itself for softmax outputs,
     * and (1 - p, p) for a single sigmoid output p, so every classifier reports one probability per class.
     */
    public float[] classProbabilities(FloatMatrix outputs, int r) {
        int k = outputs.cols();
        if (k == 1) {
            float p = outputs.get(r, 0);
            return new float[] {1f - p, p};
        }
        float[] p = new float[k];
        System.arraycopy(outputs.data(), r * k, p, 0, k);
        return p;
    }

    /** Parameters as named tensors ({@link Network#parameterTensors()}): {@code dense_0/weight}, {@code conv2d_0/bias}, ... */
    public List<NamedTensor> tensors() {
        List<NamedTensor> t = new ArrayList<>();
        for (Network.ParameterTensor p : network.parameterTensors()) {
            t.add(new NamedTensor(p.name(), p.dims(), Arrays.copyOfRange(parameters, p.offset(), p.offset() + p.count())));
        }
        return t;
    }

    /** SHA-256 over the parameter tensors: equal digests mean bit-identical parameters. */
    public String parameterDigest() {
        List<ModelFile.TensorSlice> slices = new ArrayList<>();
        for (Network.ParameterTensor p : network.parameterTensors()) {
            slices.add(new ModelFile.TensorSlice(p.name(), p.dims(), p.offset()));
        }
        return ModelFile.parameterDigest(parameters, slices);
    }

    @Override
    public String toString() {
        return "Model[" + network.describe() + ", digest " + parameterDigest().substring(0, 12) + "]";
    }
}
