package io.ringfold.serving.backend.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import io.ringfold.io.ModelFileException;
import io.ringfold.io.ModelLimits;
import io.ringfold.serving.backend.Servable;
import io.ringfold.serving.batching.BatchObserver;
import io.ringfold.serving.batching.BatchingConfig;
import io.ringfold.serving.batching.DynamicBatcher;
import io.ringfold.serving.batching.InferenceJob;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.ModelSignature;
import io.ringfold.serving.core.Tensor;
import io.ringfold.serving.core.TensorSpec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An ONNX graph served through ONNX Runtime (CPU): {@code REPO/<model>/<version>/model.onnx}, with the graph's own
 * input and output names, datatypes and shapes. Requests are checked against the signature before they are
 * queued. When every input and output has a dynamic first dimension, concurrent requests meet in one
 * {@link DynamicBatcher} run: consecutive requests whose other dimensions agree are stacked along the first
 * dimension, run once, and each gets its rows of every output back; otherwise each request runs alone.
 *
 * <p>The session is closed once {@link #shutdown()} has been called and the last queued request has finished.
 */
public final class OnnxServable implements Servable {

    /** The platform the metadata reports, Triton's name for this backend. */
    public static final String PLATFORM = "onnxruntime_onnx";
    public static final String FILE_NAME = "model.onnx";

    private static final System.Logger LOG = System.getLogger(OnnxServable.class.getName());
    private static final int WARM_RUNS = 200;
    private static final long WARM_MILLIS = 1000;
    private static final long WARM_TIMEOUT_SECONDS = 30;

    private final String name;
    private final Path file;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxOptions options;
    private final OnnxGraph graph;
    private final Map<String, Integer> inputIndex = new HashMap<>();
    private final Set<String> outputNames = new LinkedHashSet<>();
    private final StackedRuns runs;
    private final DynamicBatcher<List<Tensor>, StackedRuns.Outcome> batcher;
    private final AtomicBoolean shutdown = new AtomicBoolean();
    private final CountDownLatch closed = new CountDownLatch(1);

    private OnnxServable(String name, Path file, OrtEnvironment env, OrtSession session, OnnxOptions options,
                         OnnxGraph graph, BatchingConfig batching, BatchObserver observer) {
        this.name = name;
        this.file = file;
        this.env = env;
        this.session = session;
        this.options = options;
        this.graph = graph;
        List<TensorSpec> inputs = graph.signature().inputs();
        for (int i = 0; i < inputs.size(); i++) {
            inputIndex.put(inputs.get(i).name(), i);
        }
        outputNames.addAll(graph.signature().outputNames());
        BatchingConfig config = graph.unbatchable() == null ? batching : batching.withEnabled(false);
        this.runs = new StackedRuns(name, this::run);
        this.batcher = new DynamicBatcher<>(name, runs, config, observer);
    }

    /**
     * Loads {@code file} (read and checked within {@code limits} by {@link OnnxModelFile} before ONNX Runtime
     * sees it) with {@code options}; not yet warmed.
     *
     * @param name     the model and version, for thread names and messages
     * @param batching the model's batching settings; off whatever they say when the graph cannot batch
     * @throws ModelFileException naming the file and the reason: beyond the limits, refused by ONNX Runtime (its
     *                            message), or a graph with tensors the Java API cannot pass
     */
    public static OnnxServable load(String name, Path file, ModelLimits limits, OnnxOptions options,
                                    BatchingConfig batching, BatchObserver observer) throws IOException {
        OnnxModelFile checked = OnnxModelFile.read(file, limits);
        OrtEnvironment env = Environment.INSTANCE;
        OrtSession session;
        try (OrtSession.SessionOptions o = options.toSessionOptions()) {
            // External data is found relative to the model's path only: such a graph loads by path (its data files
            // checked by OnnxModelFile), any other from the bytes checked, so a file replaced meanwhile is not read.
            session = checked.usesExternalData() ? env.createSession(file.toString(), o)
                    : env.createSession(checked.bytes(), o);
        } catch (OrtException e) {
            throw new ModelFileException(file, "ONNX Runtime refused it: " + e.getMessage()
                    + (checked.unparsed() == null ? "" : " (not a readable ONNX protobuf: " + checked.unparsed() + ")"), e);
        }
        try {
            OnnxGraph graph = OnnxGraph.of(session);
            if (!graph.leftOut().isEmpty()) {
                LOG.log(System.Logger.Level.INFO, "{0}: outputs {1} are not tensors, not served", file, graph.leftOut());
            }
            return new OnnxServable(name, file, env, session, options, graph, batching, observer);
        } catch (OrtException | RuntimeException e) {
            closeQuietly(session, e);
            if (e instanceof IllegalArgumentException) {
                throw new ModelFileException(file, e.getMessage(), e);
            }
            throw new ModelFileException(file, "ONNX Runtime: " + e.getMessage(), e);
        }
    }

    @Override
    public ModelSignature signature() {
        return graph.signature();
    }

    /** The graph's metadata (producer, graph name, domain, version, description, custom entries), for the server's metadata. */
    @Override
    public Map<String, String> metadata() {
        return graph.metadata();
    }

    /** The batch function, for the tests, which give it batches of their making. */
    StackedRuns runs() {
        return runs;
    }

    /** Why requests of this graph cannot share a run, or null when they can. */
    public String unbatchable() {
        return graph.unbatchable();
    }

    @Override
    public CompletableFuture<List<Tensor>> infer(List<Tensor> inputs) {
        List<Tensor> ordered = checked(inputs);
        int rows = 1;
        if (graph.unbatchable() == null) {
            rows = (int) Math.max(1, ordered.get(0).dim(0));
        }
        InferenceJob<List<Tensor>, StackedRuns.Outcome> job = new InferenceJob<>(ordered, rows);
        batcher.submit(job);
        return job.result().thenApply(StackedRuns.Outcome::outputs);
    }

    /** {@code inputs} in signature order, each known, given once, of the model's datatype and shape. */
    private List<Tensor> checked(List<Tensor> inputs) {
        List<TensorSpec> specs = graph.signature().inputs();
        Tensor[] ordered = new Tensor[specs.size()];
        for (Tensor t : inputs) {
            Integer i = inputIndex.get(t.name());
            if (i == null) {
                throw new BadInputException("input '" + t.name() + "': unknown (expected: one of "
                        + graph.signature().inputNames() + ")");
            }
            if (ordered[i] != null) {
                throw new BadInputException("input '" + t.name() + "': given twice (expected: each input once)");
            }
            TensorSpec s = specs.get(i);
            if (t.datatype() != s.datatype()) {
                throw new BadInputException("input '" + t.name() + "': datatype " + t.datatype() + " (expected: "
                        + s.datatype() + ")");
            }
            if (!s.accepts(t.shape())) {
                throw new BadInputException("input '" + t.name() + "': shape " + Arrays.toString(t.shape())
                        + (t.rank() != s.shape().length ? " of rank " + t.rank() + " (expected: rank " + s.shape().length
                        + ", " + s.shapeText() + ")" : " (expected: " + s.shapeText() + ", -1 any size)"));
            }
            if (t.datatype() == DataType.BYTES) {
                OnnxTypes.checkText(t);
            }
            ordered[i] = t;
        }
        for (int i = 0; i < ordered.length; i++) {
            if (ordered[i] == null) {
                throw new BadInputException("input '" + specs.get(i).name() + "': missing (expected: every input of "
                        + graph.signature().inputNames() + ")");
            }
        }
        if (graph.unbatchable() == null) {
            for (int i = 1; i < ordered.length; i++) {
                if (ordered[i].dim(0) != ordered[0].dim(0)) {
                    throw new BadInputException("input '" + ordered[i].name() + "': " + ordered[i].dim(0)
                            + " rows (expected: " + ordered[0].dim(0) + ", as input '" + ordered[0].name()
                            + "': a batching model's inputs share their first dimension)");
                }
            }
        }
        return List.of(ordered);
    }

    /** One session run of {@code inputs} (signature order), every output converted, in signature order. */
    private List<Tensor> run(List<Tensor> inputs) throws OrtException {
        Map<String, OnnxTensor> feed = new LinkedHashMap<>();
        try {
            for (Tensor t : inputs) {
                feed.put(t.name(), OnnxTypes.toOnnx(env, t));
            }
            try (OrtSession.Result r = session.run(feed, outputNames)) {
                List<Tensor> out = new ArrayList<>(outputNames.size());
                for (String n : outputNames) {
                    out.add(OnnxTypes.fromOnnx(n, (OnnxTensor) r.get(n).orElseThrow()));
                }
                return out;
            }
        } finally {
            for (OnnxTensor t : feed.values()) {
                t.close();
            }
        }
    }

    /**
     * One inference through the batcher on zeros (empty strings) shaped as the inputs with each dynamic
     * dimension 1, then up to {@value #WARM_RUNS} runs within {@value #WARM_MILLIS} ms so that the JIT has
     * compiled the conversions before traffic; throws, naming why, when the model cannot compute.
     */
    @Override
    public void warm() {
        List<Tensor> zeros = new ArrayList<>();
        for (TensorSpec s : graph.signature().inputs()) {
            long[] shape = s.shape();
            for (int i = 0; i < shape.length; i++) {
                shape[i] = shape[i] < 0 ? 1 : shape[i];
            }
            long n = Tensor.elementCount(shape);
            if (n < 0) {
                throw new IllegalStateException("warm-up: input '" + s.name() + "' of shape " + s.shapeText()
                        + " holds more than " + Integer.MAX_VALUE + " elements (expected: a servable input)");
            }
            zeros.add(new Tensor(s.name(), s.datatype(), shape, OnnxTypes.zeros(s.datatype(), (int) n)));
        }
        try {
            infer(zeros).get(WARM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WARM_MILLIS);
            for (int i = 0; i < WARM_RUNS && System.nanoTime() < deadline; i++) {
                run(zeros);
            }
        } catch (ExecutionException e) {
            throw new IllegalStateException("warm-up inference on zeros failed: " + e.getCause().getMessage(), e.getCause());
        } catch (OrtException e) {
            throw new IllegalStateException("warm-up inference on zeros failed: " + runs.failure(e).getMessage(), e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("warm-up inference: no answer within " + WARM_TIMEOUT_SECONDS + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("warm-up inference interrupted", e);
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

    /** Refuses new requests; the session closes, on a thread of its own, once the queued ones have finished. */
    @Override
    public void shutdown() {
        if (!shutdown.compareAndSet(false, true)) {
            return;
        }
        batcher.shutdown();
        Thread closer = new Thread(this::closeWhenDrained, "onnx-close-" + name);
        closer.setDaemon(true);
        closer.start();
    }

    private void closeWhenDrained() {
        try {
            while (!batcher.awaitTermination(1000)) {
                LOG.log(System.Logger.Level.DEBUG, "{0}: waiting for the last requests before closing", name);
            }
            session.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (OrtException e) {
            LOG.log(System.Logger.Level.WARNING, name + ": closing the ONNX Runtime session failed", e);
        } finally {
            closed.countDown();
        }
    }

    /** Waits up to {@code millis} for the queued requests to finish and the session to close after {@link #shutdown()}. */
    @Override
    public boolean awaitTermination(long millis) throws InterruptedException {
        return closed.await(millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public String describe() {
        String graphName = graph.metadata().getOrDefault("graph_name", "(unnamed)");
        return "ONNX graph '" + graphName + "' from " + file.getFileName() + " by "
                + graph.metadata().getOrDefault("producer", "(unknown producer)") + ": inputs " + graph.signature().inputs()
                + ", outputs " + graph.signature().outputs() + "; batching "
                + (batcher.config().enabled() ? "on" : "off" + (graph.unbatchable() == null ? "" : " (" + graph.unbatchable() + ")"))
                + "; " + options;
    }

    private static void closeQuietly(OrtSession session, Exception cause) {
        try {
            session.close();
        } catch (OrtException e) {
            cause.addSuppressed(e);
        }
    }

    /** The ONNX Runtime environment of the process, created once: asking again with other settings logs a warning each time. */
    static OrtEnvironment environment() {
        return Environment.INSTANCE;
    }

    private static final class Environment {
        /** Only fatal messages on stderr: every error comes back as an exception, which the repository logs. */
        static final OrtEnvironment INSTANCE = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL,
                "ringfold");
    }
}
