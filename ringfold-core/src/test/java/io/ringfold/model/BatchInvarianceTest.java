package io.ringfold.model;

import io.ringfold.data.Dataset;
import io.ringfold.data.Preprocessor;
import io.ringfold.data.Schema;
import io.ringfold.nn.Activation;
import io.ringfold.nn.Loss;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.CsrMatrix;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.tensor.Matrix;
import io.ringfold.tensor.NativeBlas;
import io.ringfold.tensor.ReferenceBlas;
import io.ringfold.tensor.VectorBlas;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Batch invariance of {@link Model#predictPreprocessed}, as a property over random batch compositions: for
 * every model type (linear, logistic, softmax, MLPs of the digits and fashion shapes and deeper ones, a
 * model with categorical columns, sparse input), random rows are split into requests of random sizes, the
 * requests arrive in random order and are concatenated into batches as the server's DynamicBatcher forms
 * them (in arrival order up to a batch size; a request that would overflow heads the next batch), and
 * each row's outputs must have the bits that row has when predicted alone. Under every BLAS available
 * (OpenBLAS included: its own products pick their kernels by shape), and with the same bits on each.
 */
class BatchInvarianceTest {

    private static final long SEED = Long.getLong("ringfold.invariance.seed", 20261207L);
    /** More than Model's 1024-row slice, so one whole-set call crosses a slice boundary. */
    private static final int ROWS = 1100;
    private static final int TRIALS = 3;

    private static List<Blas> blases;

    @BeforeAll
    static void implementations() {
        System.out.println("BatchInvarianceTest: seed " + SEED + " (replay with -Dringfold.invariance.seed=" + SEED + ")");
        blases = new ArrayList<>(List.of(new VectorBlas(1), new VectorBlas(3)));
        if (NativeBlas.isAvailable()) {
            blases.add(NativeBlas.create(1));
            blases.add(NativeBlas.create(2));
        } else if ("true".equals(System.getenv("CI"))) {
            fail("native BLAS unavailable: " + NativeBlas.unavailableReason() + " (CI=true: CI provides libopenblas0)");
        }
        blases.add(new ReferenceBlas());
    }

    /** A model and its input: dense preprocessed rows, CSR rows, or raw rows with category codes. */
    private record Case(String name, Model model, Matrix preprocessed, float[][] raw) {

        int rows() {
            return raw != null ? raw.length : preprocessed.rows();
        }

        /** Outputs of rows {@code index[from..to)}, in that order, in one call. */
        FloatMatrix predict(Blas blas, int[] index, int from, int to) {
            if (raw != null) {
                float[][] batch = new float[to - from][];
                for (int i = from; i < to; i++) {
                    batch[i - from] = raw[index[i]];
                }
                return model.predictRaw(blas, batch);
            }
            return model.predictPreprocessed(blas, preprocessed.gatherRows(index, from, to));
        }
    }

    @Test
    void eachRowHasItsAloneBitsInEveryBatchCompositionForEveryModelAndBlas() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (Case c : cases(random)) {
            int[][] firstAlone = null;
            for (Blas blas : blases) {
                String label = "seed " + SEED + ", " + c.name() + ", " + blas.name();
                int[][] alone = aloneBits(c, blas);
                for (int trial = 0; trial < TRIALS; trial++) {
                    checkBatches(c, blas, alone, random.split(), label + ", trial " + trial);
                }
                int[] all = identity(c.rows());
                assertRows(c.predict(blas, all, 0, all.length), all, 0, alone, label + ", all rows in one call");
                if (firstAlone == null) {
                    firstAlone = alone;
                } else {
                    for (int r = 0; r < alone.length; r++) {
                        assertThat(alone[r]).as("%s: row %d alone, against %s", label, r, blases.get(0).name())
                                .isEqualTo(firstAlone[r]);
                    }
                }
            }
        }
    }

    @Test
    void aSparseRowHasTheBitsOfTheSameRowDense() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        Model m = mlp(random, 784, new int[] {32}, Activation.RELU, 10, Loss.CROSS_ENTROPY);
        CsrMatrix sparse = sparseRows(random, 200, 784, 0.1);
        FloatMatrix dense = sparse.toDense();
        for (Blas blas : blases) {
            float[] fromSparse = m.predictPreprocessed(blas, sparse).data();
            float[] fromDense = m.predictPreprocessed(blas, dense).data();
            for (int r = 0; r < sparse.rows(); r++) {
                assertThat(bits(fromSparse, r * 10, 10)).as("seed %d, %s, row %d", SEED + 1, blas.name(), r)
                        .isEqualTo(bits(fromDense, r * 10, 10));
            }
        }
    }

    /** Requests of 1 to 8 consecutive rows, in random arrival order, concatenated as the batcher does. */
    private static void checkBatches(Case c, Blas blas, int[][] alone, SplittableRandom random, String label) {
        List<int[]> requests = new ArrayList<>();
        for (int from = 0; from < c.rows(); ) {
            int size = Math.min(c.rows() - from, 1 + random.nextInt(8));
            requests.add(new int[] {from, size});
            from += size;
        }
        Collections.shuffle(requests, new Random(random.nextLong()));
        int maxBatch = 1 + random.nextInt(96);
        int[] order = new int[c.rows()];
        int filled = 0;
        int batchStart = 0;
        List<Integer> sizes = new ArrayList<>();
        for (int[] request : requests) {
            if (filled > batchStart && filled - batchStart + request[1] > maxBatch) {
                sizes.add(filled - batchStart);
                runBatch(c, blas, order, batchStart, filled, alone, label, maxBatch, sizes);
                batchStart = filled;
            }
            for (int i = 0; i < request[1]; i++) {
                order[filled++] = request[0] + i;
            }
        }
        sizes.add(filled - batchStart);
        runBatch(c, blas, order, batchStart, filled, alone, label, maxBatch, sizes);
    }

    private static void runBatch(Case c, Blas blas, int[] order, int from, int to, int[][] alone, String label,
                                 int maxBatch, List<Integer> sizes) {
        FloatMatrix out = c.predict(blas, order, from, to);
        assertRows(out, order, from, alone, label + ", max batch " + maxBatch + ", batch " + sizes.size() + " of "
                + (to - from) + " rows starting at row " + order[from]);
    }

    private static void assertRows(FloatMatrix out, int[] order, int from, int[][] alone, String label) {
        int k = out.cols();
        for (int i = 0; i < out.rows(); i++) {
            assertThat(bits(out.data(), i * k, k)).as("%s: row %d at position %d", label, order[from + i], i)
                    .isEqualTo(alone[order[from + i]]);
        }
    }

    private static int[][] aloneBits(Case c, Blas blas) {
        int[][] alone = new int[c.rows()][];
        int[] all = identity(c.rows());
        for (int r = 0; r < alone.length; r++) {
            FloatMatrix out = c.predict(blas, all, r, r + 1);
            alone[r] = bits(out.data(), 0, out.cols());
        }
        return alone;
    }

    private static List<Case> cases(SplittableRandom random) {
        List<Case> cases = new ArrayList<>();
        cases.add(dense("linear 300", mlp(random, 300, new int[0], Activation.IDENTITY, 1, Loss.MSE, ModelType.LINEAR),
                random));
        cases.add(dense("logistic 300", mlp(random, 300, new int[0], Activation.IDENTITY, 1,
                Loss.BINARY_CROSS_ENTROPY, ModelType.LOGISTIC), random));
        cases.add(dense("softmax 784 -> 10", mlp(random, 784, new int[0], Activation.IDENTITY, 10,
                Loss.CROSS_ENTROPY, ModelType.SOFTMAX), random));
        cases.add(dense("mlp 784 -> 128 relu -> 10", mlp(random, 784, new int[] {128}, Activation.RELU, 10,
                Loss.CROSS_ENTROPY), random));
        cases.add(dense("mlp 64 -> 64 relu -> 10", mlp(random, 64, new int[] {64}, Activation.RELU, 10,
                Loss.CROSS_ENTROPY), random));
        cases.add(dense("mlp 300 -> 48 tanh -> 17 tanh -> 3", mlp(random, 300, new int[] {48, 17}, Activation.TANH, 3,
                Loss.CROSS_ENTROPY), random));
        cases.add(dense("mlp 300 -> 40 sigmoid -> 1 (regression)", mlp(random, 300, new int[] {40},
                Activation.SIGMOID, 1, Loss.MSE), random));
        cases.add(categorical(random));
        Model sparseModel = mlp(random, 784, new int[] {32}, Activation.RELU, 10, Loss.CROSS_ENTROPY);
        cases.add(new Case("mlp 784 -> 32 relu -> 10 on sparse rows", sparseModel, sparseRows(random, ROWS, 784, 0.1),
                null));
        return cases;
    }

    private static Case dense(String name, Model m, SplittableRandom random) {
        return new Case(name, m, new FloatMatrix(ROWS, m.network().inputSize(),
                values(random, ROWS * m.network().inputSize(), 1.0)), null);
    }

    /**
     * Raw rows of two categorical columns (5 and 30 categories) among 260 numeric ones, through the
     * preprocessing fitted on them (one-hot and standardisation), into an MLP over the 295 outputs.
     */
    private static Case categorical(SplittableRandom random) {
        int numeric = 260;
        List<String> names = new ArrayList<>(List.of("colour", "city"));
        for (int c = 0; c < numeric; c++) {
            names.add("x" + c);
        }
        List<String> colours = List.of("blue", "green", "grey", "red", "white");
        List<String> cities = new ArrayList<>();
        for (int c = 0; c < 30; c++) {
            cities.add(String.format("city%02d", c));
        }
        float[][] raw = new float[ROWS][];
        float[] flat = new float[ROWS * names.size()];
        for (int r = 0; r < ROWS; r++) {
            raw[r] = values(random, names.size(), 3.0);
            raw[r][0] = random.nextInt(colours.size());
            raw[r][1] = random.nextInt(cities.size());
            System.arraycopy(raw[r], 0, flat, r * names.size(), names.size());
        }
        Schema schema = new Schema(names, List.of(), Map.of("colour", colours, "city", cities));
        Dataset data = Dataset.of(new FloatMatrix(ROWS, names.size(), flat), new float[ROWS], schema, "test");
        Preprocessor pre = Preprocessor.fit(data, true);
        Architecture arch = new Architecture(ModelType.MLP, pre.outputWidth(), new int[] {64}, Activation.RELU, 4,
                Loss.CROSS_ENTROPY);
        Model m = new Model(arch, values(random, (int) arch.parameterCount(), 0.1), pre, List.of(), provenance());
        return new Case("mlp 295 (one-hot of 2 categorical + 260 standardised) -> 64 relu -> 4", m, null, raw);
    }

    private static Model mlp(SplittableRandom random, int inputs, int[] hidden, Activation activation, int outputs,
                             Loss loss) {
        return mlp(random, inputs, hidden, activation, outputs, loss, ModelType.MLP);
    }

    /** Parameters uniform in ±1/√fan-in scale, so activations stay in a useful range. */
    private static Model mlp(SplittableRandom random, int inputs, int[] hidden, Activation activation, int outputs,
                             Loss loss, ModelType type) {
        Architecture arch = new Architecture(type, inputs, hidden, activation, outputs, loss);
        float[] p = values(random, (int) arch.parameterCount(), 1 / Math.sqrt(inputs));
        return new Model(arch, p, Preprocessor.identity(inputs), List.of(), provenance());
    }

    private static CsrMatrix sparseRows(SplittableRandom random, int rows, int cols, double density) {
        int[] ptr = new int[rows + 1];
        List<Integer> idx = new ArrayList<>();
        List<Float> val = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (random.nextDouble() < density) {
                    idx.add(c);
                    val.add((float) random.nextDouble(0, 1));
                }
            }
            ptr[r + 1] = idx.size();
        }
        float[] v = new float[val.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = val.get(i);
        }
        return new CsrMatrix(rows, cols, ptr, idx.stream().mapToInt(Integer::intValue).toArray(), v);
    }

    private static float[] values(SplittableRandom random, int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextDouble(-scale, scale);
        }
        return x;
    }

    private static int[] identity(int n) {
        int[] index = new int[n];
        Arrays.setAll(index, i -> i);
        return index;
    }

    private static int[] bits(float[] x, int from, int length) {
        int[] b = new int[length];
        for (int i = 0; i < length; i++) {
            b[i] = Float.floatToRawIntBits(x[from + i]);
        }
        return b;
    }

    private static Provenance provenance() {
        return Provenance.capture(new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode(), SEED, "test",
                "none", "test");
    }
}
