package io.ringfold.bench.dl4j;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Fashion-MNIST as the Debian package dataset-fashion-mnist installs it: four gzipped IDX files (a
 * big-endian magic, the dimension sizes, then unsigned bytes). DL4J's own fetchers download the data,
 * and this machine reaches no such host; reading the files here also keeps loading out of the timing.
 *
 * @param trainPixels training images, {@code 784} standardised pixels each, row after row
 * @param trainLabels training labels, 0 to 9
 * @param testPixels  test images, standardised with the training set's statistics
 * @param testLabels  test labels, 0 to 9
 */
record FashionMnist(float[] trainPixels, int[] trainLabels, float[] testPixels, int[] testLabels) {

    static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    static final int SIDE = 28;
    static final int PIXELS = SIDE * SIDE;
    static final int CLASSES = 10;

    // IDX magic numbers: two zero bytes, type 0x08 (unsigned byte), then the number of dimensions.
    private static final int MAGIC_IMAGES = 0x00000803;
    private static final int MAGIC_LABELS = 0x00000801;

    int trainRows() {
        return trainLabels.length;
    }

    int testRows() {
        return testLabels.length;
    }

    /** Reads the four files from {@code dir} and standardises every pixel with the training mean and std. */
    static FashionMnist load(Path dir) throws IOException {
        byte[] trainImages = read(dir.resolve("train-images-idx3-ubyte.gz"), MAGIC_IMAGES);
        byte[] trainLabels = read(dir.resolve("train-labels-idx1-ubyte.gz"), MAGIC_LABELS);
        byte[] testImages = read(dir.resolve("t10k-images-idx3-ubyte.gz"), MAGIC_IMAGES);
        byte[] testLabels = read(dir.resolve("t10k-labels-idx1-ubyte.gz"), MAGIC_LABELS);
        if (trainImages.length != trainLabels.length * PIXELS || testImages.length != testLabels.length * PIXELS) {
            throw new IOException("image/label counts differ: train " + trainImages.length / PIXELS + "/"
                    + trainLabels.length + ", test " + testImages.length / PIXELS + "/" + testLabels.length);
        }
        double[][] stats = meanAndStd(trainImages);
        return new FashionMnist(standardise(trainImages, stats), labels(trainLabels),
                standardise(testImages, stats), labels(testLabels));
    }

    /** The body of an IDX file after its header, checked against the dimensions the header gives. */
    private static byte[] read(Path path, int expectedMagic) throws IOException {
        if (!Files.isRegularFile(path)) {
            throw new IOException("Fashion-MNIST file: " + path + " not found (expected: Debian package dataset-fashion-mnist)");
        }
        try (InputStream file = Files.newInputStream(path);
             DataInputStream in = new DataInputStream(new GZIPInputStream(file, 1 << 16))) {
            int magic = in.readInt();
            if (magic != expectedMagic) {
                throw new IOException(String.format("%s: IDX magic 0x%08x (expected: 0x%08x)", path, magic, expectedMagic));
            }
            long size = 1;
            for (int d = 0; d < (magic & 0xFF); d++) {
                size *= in.readInt();
            }
            byte[] body = in.readAllBytes();
            if (body.length != size) {
                throw new IOException(path + ": " + body.length + " bytes of data (expected: " + size + " from the header)");
            }
            return body;
        }
    }

    /**
     * Per-pixel mean and population std over the training images, in double and in two passes (the
     * mean, then the squared deviations from it) as numpy computes them for fashion_mnist.py. A pixel
     * constant over the training set (std 0) is only centred, as there.
     */
    private static double[][] meanAndStd(byte[] images) {
        int rows = images.length / PIXELS;
        double[] mean = new double[PIXELS];
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < PIXELS; p++) {
                mean[p] += images[r * PIXELS + p] & 0xFF;
            }
        }
        for (int p = 0; p < PIXELS; p++) {
            mean[p] /= rows;
        }
        double[] std = new double[PIXELS];
        for (int r = 0; r < rows; r++) {
            for (int p = 0; p < PIXELS; p++) {
                double d = (images[r * PIXELS + p] & 0xFF) - mean[p];
                std[p] += d * d;
            }
        }
        for (int p = 0; p < PIXELS; p++) {
            std[p] = std[p] == 0 ? 1 : Math.sqrt(std[p] / rows);
        }
        return new double[][] {mean, std};
    }

    private static float[] standardise(byte[] images, double[][] stats) {
        float[] out = new float[images.length];
        for (int i = 0; i < images.length; i++) {
            int p = i % PIXELS;
            out[i] = (float) (((images[i] & 0xFF) - stats[0][p]) / stats[1][p]);
        }
        return out;
    }

    private static int[] labels(byte[] bytes) {
        int[] out = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] & 0xFF;
        }
        return out;
    }
}
