package io.ringfold.serving.backend.ringfold;

import io.ringfold.model.Model;
import io.ringfold.serving.backend.Servable;
import io.ringfold.serving.batching.BatchObserver;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.batching.DynamicBatcher;
import io.ringfold.serving.batching.InferenceJob;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.Tensor;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.FloatMatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Ringfold model file served: one input tensor of raw rows ({@link RingfoldSignature}), decoded and
 * preprocessed before it is queued, so a batch holds only well-formed rows; the rows of concurrent requests
 * meet in one {@link DynamicBatcher} and one matrix product, whose rows have the same bits whatever they are
 * batched with ({@link Model#predictPreprocessed} is batch invariant).
 */
public final class RingfoldServable implements Servable {

    private static final int WARM_PREDICTIONS = 2000;
    private static final long WARM_MILLIS = 2000;

    private final Model model;
    private final RingfoldSignature ringfold;
    private final ModelSignature signature;
    private final RowDecoder decoder;
    private final DynamicBatcher<float[], FloatMatrix> batcher;
    private final Blas blas;

    public RingfoldServable(String name, Model model, BatchingConfig batching, Blas blas, BatchObserver observer) {
        this.model = model;
        this.ringfold = RingfoldSignature.of(model);
        this.signature = ringfold.toModelSignature();
        this.decoder = new RowDecoder(model, ringfold);
        this.blas = blas;
        this.batcher = new DynamicBatcher<>(name, this::compute, batching, observer);
    }

    public Model model() {
        return model;
    }

    public RingfoldSignature ringfoldSignature() {
        return ringfold;
    }

    @Override
    public ModelSignature signature() {
        return signature;
    }

    @Override
    public CompletableFuture<List<Tensor>> infer(List<Tensor> inputs) {
        if (inputs.size() != 1) {
            throw new BadInputException("inputs: " + inputs.size() + " tensors (expected: 1, '"
                    + RingfoldSignature.INPUT + "')");
        }
        Tensor in = inputs.get(0);
        if (!RingfoldSignature.INPUT.equals(in.name())) {
            throw new BadInputException("inputs[0].name: '" + in.name() + "' (expected: '" + RingfoldSignature.INPUT + "')");
        }
        String where = "input '" + RingfoldSignature.INPUT + "'";
        DataType t = in.datatype();
        boolean okType = ringfold.takesStrings() ? t == DataType.BYTES : t.isNumeric();
        if (!okType) {
            throw new BadInputException(where + ": datatype " + t + " (expected: " + ringfold.inputDatatype()
                    + (ringfold.takesStrings() ? ", the model has " + ringfold.stringColumns() : " or another numeric type")
                    + ")");
        }
        long rows = ringfold.rows(in.shape());
        if (rows < 0) {
            throw new BadInputException(where + ": shape " + Arrays.toString(in.shape()) + " (expected: "
                    + ringfold.expectedShapes() + ", the model's " + ringfold.width() + " input "
                    + (ringfold.exampleShape().length > 1 ? "values" : "columns") + ")");
        }
        float[] x = decoder.decode(where, in, (int) rows);
        return submit(x, (int) rows).thenApply(this::outputs);
    }

    private CompletableFuture<FloatMatrix> submit(float[] preprocessed, int rows) {
        InferenceJob<float[], FloatMatrix> job = new InferenceJob<>(preprocessed, rows);
        batcher.submit(job);
        return job.result();
    }

    /** One batch: the jobs' rows as one matrix, one product, and each job's rows of the result. */
    private List<FloatMatrix> compute(List<float[]> jobs, int rows) {
        int width = model.network().inputSize();
        FloatMatrix x;
        if (jobs.size() == 1) {
            x = new FloatMatrix(rows, width, jobs.get(0));
        } else {
            x = new FloatMatrix(rows, width);
            int offset = 0;
            for (float[] j : jobs) {
                System.arraycopy(j, 0, x.data(), offset, j.length);
                offset += j.length;
            }
        }
        FloatMatrix out = model.predictPreprocessed(blas, x);
        int k = out.cols();
        List<FloatMatrix> parts = new ArrayList<>(jobs.size());
        int from = 0;
        for (float[] j : jobs) {
            int n = j.length / width;
            float[] part = new float[n * k];
            System.arraycopy(out.data(), from * k, part, 0, part.length);
            from += n;
            parts.add(new FloatMatrix(n, k, part));
        }
        return parts;
    }

    /** The model's raw outputs as the served tensors: probabilities and class, or value. */
    private List<Tensor> outputs(FloatMatrix raw) {
        int n = raw.rows();
        if (!ringfold.classifier()) {
            float[] v = new float[n];
            for (int r = 0; r < n; r++) {
                v[r] = raw.get(r, 0);
            }
            return List.of(Tensor.ofFloats(RingfoldSignature.VALUE, new long[] {n}, v));
        }
        int k = ringfold.classNames().size();
        float[] p = new float[n * k];
        String[] names = new String[n];
        int[] classes = model.predictedClasses(raw);
        for (int r = 0; r < n; r++) {
            System.arraycopy(model.classProbabilities(raw, r), 0, p, r * k, k);
            names[r] = ringfold.classNames().get(classes[r]);
        }
        return List.of(Tensor.ofFloats(RingfoldSignature.PROBABILITIES, new long[] {n, k}, p),
                Tensor.ofStrings(RingfoldSignature.CLASS, new long[] {n}, names));
    }

    /** One prediction on a zero row, through the batcher, then the JIT warm-up; throws if it fails. */
    @Override
    public void warm() {
        int width = model.network().inputSize();
        try {
            List<Tensor> out = submit(new float[width], 1).thenApply(this::outputs).get(30, TimeUnit.SECONDS);
            float v = out.get(0).floats()[0];
            if (!Float.isFinite(v)) {
                throw new IllegalStateException("warm-up prediction: " + v + " (expected: a finite number)");
            }
            compileThePredictionPath(width);
        } catch (ExecutionException ex) {
            throw new IllegalStateException("warm-up prediction failed: " + ex.getCause(), ex.getCause());
        } catch (TimeoutException ex) {
            throw new IllegalStateException("warm-up prediction: no answer within 30 s", ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("warm-up prediction interrupted", ex);
        }
    }

    /**
     * Runs predictions of one row and of a full batch, off the request path and outside the metrics, until the
     * JIT has compiled the kernels: in a fresh JVM a model's first thousand predictions took 0.9 s against
     * 20 ms once compiled (bench/RESULTS.md, "Batch invariance"). Bounded by {@value #WARM_PREDICTIONS}
     * predictions and {@value #WARM_MILLIS} ms; once one version has run it, the next ones finish at once.
     */
    private void compileThePredictionPath(int width) {
        FloatMatrix one = new FloatMatrix(1, width);
        FloatMatrix batch = new FloatMatrix(Math.min(64, batcher.config().maxBatchSize()), width);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WARM_MILLIS);
        for (int i = 0; i < WARM_PREDICTIONS && System.nanoTime() < deadline; i++) {
            model.predictPreprocessed(blas, i % 16 == 15 ? batch : one);
        }
    }

    @Override
    public int queued() {
        return batcher.queued();
    }

    @Override
    public BatchingConfig batching() {
        return batcher.config();
    }

    @Override
    public void shutdown() {
        batcher.shutdown();
    }

    @Override
    public boolean awaitTermination(long millis) throws InterruptedException {
        return batcher.awaitTermination(millis);
    }

    @Override
    public String describe() {
        return model.toString();
    }
}
