package io.ringfold.data;

import io.ringfold.nn.Shape;
import io.ringfold.tensor.FloatMatrix;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): an images file of
 * unsigned bytes with 3 dimensions (count, rows, columns) and a labels file of unsigned bytes with 1
 * dimension, gzipped or not. Both start with a big-endian magic number {@code 0x000008DD} (type 0x08 =
 * unsigned byte, DD = number of dimensions) followed by the dimensions as big-endian int32. Pixels become
 * floats 0..255 in a dense matrix (scaling belongs to preprocessing), column {@code r*cols+c} named
 * {@code px<r*cols+c>}; labels become floats. Trailing bytes after the declared content are an error.
 */
public final class IdxReader {

    private static final int IMAGES_MAGIC = 0x00000803;
    private static final int LABELS_MAGIC = 0x00000801;

    private IdxReader() {
    }

    /** Images and labels as one data set, named after the images file. */
    public static Dataset read(Path images, Path labels) {
        FloatMatrix x = readImages(images);
        float[] y = readLabels(labels);
        if (y.length != x.rows()) {
            throw new DataFormatException(labels.toString(), 0, y.length + " labels",
                    x.rows() + " as there are images in " + images);
        }
        Schema schema = new Schema(Schema.generatedNames("px", x.cols()), List.of(), Map.of(), "label");
        return new Dataset(x, y, schema, images.toString(), null, imageShape(images));
    }

    /** The shape of one image of an images file, {@code [1, rows, cols]} (one grey channel), from its header. */
    static Shape imageShape(Path path) {
        String source = path.toString();
        try (DataInputStream in = new DataInputStream(DataFiles.open(path))) {
            checkMagic(in, IMAGES_MAGIC, "unsigned-byte images, 3 dimensions", source);
            readDim(in, "image count", source);
            int rows = readDim(in, "rows", source);
            int cols = readDim(in, "columns", source);
            return Shape.of(1, rows, cols);
        } catch (IOException e) {
            throw DataFiles.unreadable(source, e);
        }
    }

    /** An images file as a count × (rows·cols) matrix of pixel values 0..255. */
    public static FloatMatrix readImages(Path path) {
        String source = path.toString();
        try (DataInputStream in = new DataInputStream(DataFiles.open(path))) {
            checkMagic(in, IMAGES_MAGIC, "unsigned-byte images, 3 dimensions", source);
            int n = readDim(in, "image count", source);
            int rows = readDim(in, "rows", source);
            int cols = readDim(in, "columns", source);
            long pixels = (long) rows * cols;
            if (pixels == 0 || (long) n * pixels > Integer.MAX_VALUE - 8) {
                throw new DataFormatException(source, 0, "shape " + n + "x" + rows + "x" + cols,
                        "non-empty images, at most " + (Integer.MAX_VALUE - 8) + " pixels in all");
            }
            float[] data = new float[(int) (n * pixels)];
            byte[] chunk = new byte[1 << 16];
            int done = 0;
            while (done < data.length) {
                int len = Math.min(chunk.length, data.length - done);
                readFully(in, chunk, len, source, "truncated after " + done + " of " + data.length + " pixel bytes",
                        n + " images of " + rows + "x" + cols);
                for (int i = 0; i < len; i++) {
                    data[done + i] = chunk[i] & 0xff;
                }
                done += len;
            }
            checkEnd(in, source, n + " images of " + rows + "x" + cols);
            return new FloatMatrix(n, (int) pixels, data);
        } catch (IOException e) {
            throw DataFiles.unreadable(source, e);
        }
    }

    /** A labels file as floats 0..255. */
    public static float[] readLabels(Path path) {
        String source = path.toString();
        try (DataInputStream in = new DataInputStream(DataFiles.open(path))) {
            checkMagic(in, LABELS_MAGIC, "unsigned-byte labels, 1 dimension", source);
            int n = readDim(in, "label count", source);
            byte[] bytes = new byte[n];
            readFully(in, bytes, n, source, "truncated", n + " label bytes");
            checkEnd(in, source, n + " labels");
            float[] y = new float[n];
            for (int i = 0; i < n; i++) {
                y[i] = bytes[i] & 0xff;
            }
            return y;
        } catch (IOException e) {
            throw DataFiles.unreadable(source, e);
        }
    }

    private static void checkMagic(DataInputStream in, int expected, String what, String source) throws IOException {
        byte[] b = new byte[4];
        int got = in.readNBytes(b, 0, 4);
        if (got == 0) {
            throw new DataFormatException(source, 0, "empty file", "an IDX file of " + what);
        }
        int magic = got < 4 ? -1 : ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
        if (magic != expected) {
            throw new DataFormatException(source, 0, "magic number " + (got < 4 ? "truncated" : hex(magic)),
                    hex(expected) + " for IDX " + what);
        }
    }

    private static String hex(int v) {
        return String.format("0x%08X", v);
    }

    private static int readDim(DataInputStream in, String name, String source) throws IOException {
        int v;
        try {
            v = in.readInt();
        } catch (EOFException e) {
            throw new DataFormatException(source, 0, "truncated header, no " + name, "a complete IDX header", e);
        }
        if (v < 0) {
            throw new DataFormatException(source, 0, name + " " + v, ">= 0");
        }
        return v;
    }

    private static void readFully(InputStream in, byte[] b, int len, String source, String problem, String expected)
            throws IOException {
        if (in.readNBytes(b, 0, len) != len) {
            throw new DataFormatException(source, 0, problem, expected);
        }
    }

    private static void checkEnd(InputStream in, String source, String expected) throws IOException {
        if (in.read() != -1) {
            throw new DataFormatException(source, 0, "extra bytes after the declared content", "exactly " + expected);
        }
    }
}
