package io.ringfold.bench.dl4j;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Trains the LeNet-style CNN of issue 17 with Deeplearning4j and prints one JSON line, in the form of
 * bench/peers/pytorch_cnn.py's: conv2d(20,5), relu, maxpool2d(2), conv2d(50,5), relu, maxpool2d(2),
 * flatten, dense(500), relu, dense(10) with softmax cross-entropy; Adam (betas 0.9/0.999, eps 1e-8, as
 * PyTorch's); minibatches drawn from a fresh seeded permutation each epoch, the shuffle and the
 * gathering of rows timed with the epoch, as the other peers do.
 */
@Command(name = "ringfold-peer-dl4j", mixinStandardHelpOptions = true,
        description = "Deeplearning4j peer: LeNet-style CNN on Fashion-MNIST, timed per epoch, one JSON line on stdout.")
public final class LeNetPeer implements Callable<Integer> {

    static final String DL4J_VERSION = "1.0.0-M2.1";
    private static final int EVAL_CHUNK = 1000;
    private static final com.sun.management.OperatingSystemMXBean CPU =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    @Option(names = "--threads", defaultValue = "1",
            description = "ND4J's and OpenBLAS's thread count (default ${DEFAULT-VALUE}); set OMP_NUM_THREADS to the same")
    int threads;
    @Option(names = "--epochs", defaultValue = "2")
    int epochs;
    @Option(names = "--batch-size", defaultValue = "64")
    int batchSize;
    @Option(names = "--lr", defaultValue = "0.001")
    double lr;
    @Option(names = "--seed", defaultValue = "1")
    long seed;
    @Option(names = "--limit-batches", defaultValue = "0",
            description = "train only this many minibatches per epoch, for a short check (default 0: all)")
    int limitBatches;
    @Option(names = "--data-dir", description = "the IDX files' directory (default /usr/share/datasets/fashion-mnist)")
    Path dataDir = FashionMnist.DEFAULT_DIR;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LeNetPeer()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        require(threads > 0, "--threads", threads, "> 0");
        require(epochs > 0, "--epochs", epochs, "> 0");
        require(batchSize > 0, "--batch-size", batchSize, "> 0");
        require(lr > 0, "--lr", lr, "> 0");
        require(limitBatches >= 0, "--limit-batches", limitBatches, ">= 0");
        FashionMnist data = FashionMnist.load(dataDir);

        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        Nd4j.getEnvironment().setMaxThreads(threads);
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);

        int n = data.trainRows();
        INDArray x = Nd4j.create(data.trainPixels(), new long[] {n, FashionMnist.PIXELS}, 'c');
        INDArray y = oneHot(data.trainLabels());
        MultiLayerNetwork net = new MultiLayerNetwork(lenet());
        net.init();

        int fullBatches = (n + batchSize - 1) / batchSize;
        int batches = limitBatches == 0 ? fullBatches : Math.min(limitBatches, fullBatches);
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        SplittableRandom shuffle = new SplittableRandom(seed);
        double[] epochSeconds = new double[epochs];
        double[] epochCpuSeconds = new double[epochs];
        for (int e = 0; e < epochs; e++) {
            long start = System.nanoTime();
            long startCpu = CPU.getProcessCpuTime();
            permute(order, shuffle);
            for (int b = 0; b < batches; b++) {
                int[] rows = Arrays.copyOfRange(order, b * batchSize, Math.min(n, (b + 1) * batchSize));
                net.fit(Nd4j.pullRows(x, 1, rows), Nd4j.pullRows(y, 1, rows));
            }
            epochSeconds[e] = (System.nanoTime() - start) / 1e9;
            epochCpuSeconds[e] = (CPU.getProcessCpuTime() - startCpu) / 1e9;
        }
        double finalLoss = net.score();
        double testAccuracy = accuracy(net, data.testPixels(), data.testLabels());
        var helper = net.getLayer(0).getHelper();
        // Which convolution code ran: oneDNN's through DL4J's helper, or ND4J's own. In 1.0.0-M2.1 the
        // helpers are off by default (org.eclipse.deeplearning4j.helpers.disable) and, turned on, look
        // for a class that has moved (org.nd4j.nativeblas.Nd4jCpu$Environment), so even the onednn
        // builds of ND4J run the built-in code; recorded so that a later release's change shows.
        String convolution = helper == null ? "nd4j built-in" : helper.getClass().getSimpleName();
        System.out.println(record(epochSeconds, epochCpuSeconds, batches, fullBatches, n, finalLoss, testAccuracy, convolution));
        return 0;
    }

    /** The network; DL4J infers each layer's input size from the flat 784-pixel input declared last. */
    MultiLayerConfiguration lenet() {
        return new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .weightInit(WeightInit.XAVIER)  // as DL4J's own LeNet example
                .updater(new Adam(lr))
                .list()
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(20).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new ConvolutionLayer.Builder(5, 5).nOut(50).activation(Activation.RELU).build())
                .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                .layer(new DenseLayer.Builder().nOut(500).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(FashionMnist.CLASSES)
                        .activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(FashionMnist.SIDE, FashionMnist.SIDE, 1))
                .build();
    }

    private static INDArray oneHot(int[] labels) {
        float[] hot = new float[labels.length * FashionMnist.CLASSES];
        for (int i = 0; i < labels.length; i++) {
            hot[i * FashionMnist.CLASSES + labels[i]] = 1;
        }
        return Nd4j.create(hot, new long[] {labels.length, FashionMnist.CLASSES}, 'c');
    }

    /** Fisher-Yates, continuing from the previous epoch's order as torch.randperm's stream continues. */
    private static void permute(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    /** Test accuracy, in chunks so that the first convolution's activations stay small. */
    private static double accuracy(MultiLayerNetwork net, float[] pixels, int[] labels) {
        long hits = 0;
        for (int start = 0; start < labels.length; start += EVAL_CHUNK) {
            int rows = Math.min(EVAL_CHUNK, labels.length - start);
            float[] chunk = Arrays.copyOfRange(pixels, start * FashionMnist.PIXELS, (start + rows) * FashionMnist.PIXELS);
            INDArray predicted = net.output(Nd4j.create(chunk, new long[] {rows, FashionMnist.PIXELS}, 'c'), false).argMax(1);
            for (int i = 0; i < rows; i++) {
                if (predicted.getInt(i) == labels[start + i]) {
                    hits++;
                }
            }
        }
        return (double) hits / labels.length;
    }

    private String record(double[] epochSeconds, double[] epochCpuSeconds, int batches, int fullBatches, int n,
            double finalLoss, double testAccuracy,
            String convolution) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode r = json.createObjectNode();
        r.put("peer", "dl4j");
        r.put("model", "lenet-conv20x5-conv50x5-dense500");
        r.put("dl4j_version", DL4J_VERSION);
        r.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        r.put("nd4j_backend", Nd4j.getBackend().getClass().getSimpleName());
        r.put("nd4j_classifier", buildProperty("nd4j.classifier"));
        r.put("convolution", convolution);
        r.put("blas_vendor", String.valueOf(Nd4j.factory().blas().getBlasVendor()));
        r.put("threads", Nd4j.getEnvironment().maxThreads());
        r.put("master_threads", Nd4j.getEnvironment().maxMasterThreads());
        r.put("blas_threads", Nd4j.factory().blas().getMaxThreads());
        r.put("omp_num_threads", System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
        r.put("epochs", epochs);
        r.put("batch_size", batchSize);
        r.put("lr", lr);
        r.put("seed", seed);
        r.put("preprocessing", "standardised per feature (training mean/std)");
        r.put("batches_per_epoch", batches);
        r.put("full_epoch_batches", fullBatches);
        ArrayNode seconds = r.putArray("epoch_seconds");
        double trainSeconds = 0;
        for (double s : epochSeconds) {
            seconds.add(round(s, 4));
            trainSeconds += s;
        }
        r.put("train_seconds", round(trainSeconds, 4));
        // CPU time of all the JVM's threads (JIT and GC included): on a shared machine, what the epoch
        // cost apart from waiting for a core.
        ArrayNode cpuSeconds = r.putArray("epoch_cpu_seconds");
        for (double s : epochCpuSeconds) {
            cpuSeconds.add(round(s, 4));
        }
        r.put("seconds_per_epoch", round(trainSeconds / epochs, 4));
        double perBatch = trainSeconds / ((double) batches * epochs);
        r.put("seconds_per_batch", round(perBatch, 6));
        if (batches < fullBatches) {
            // A shortened run: what a whole epoch would take at this run's rate (JIT and start-up included).
            r.put("projected_seconds_per_epoch", round(perBatch * fullBatches, 2));
        }
        r.put("samples_per_second", round(Math.min(n, (long) batches * batchSize) * (double) epochs / trainSeconds, 1));
        r.put("final_loss", round(finalLoss, 5));
        r.put("test_accuracy", round(testAccuracy, 5));
        return r.toString();
    }

    /** A property the build wrote into the jar (ringfold-peer-dl4j.properties). */
    private static String buildProperty(String key) throws IOException {
        Properties properties = new Properties();
        try (InputStream in = LeNetPeer.class.getResourceAsStream("/ringfold-peer-dl4j.properties")) {
            if (in == null) {
                throw new IOException("ringfold-peer-dl4j.properties: not on the class path (expected: in the jar built by Maven)");
            }
            properties.load(in);
        }
        return properties.getProperty(key, "unknown");
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }

    private void require(boolean valid, String option, Object value, String expected) {
        if (!valid) {
            throw new CommandLine.ParameterException(new CommandLine(this), option + ": " + value + " (expected: " + expected + ")");
        }
    }
}
