package io.ringfold.spark;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.BiFunction;

/**
 * Spark ML persistence of a {@link RingfoldModel}: {@code PATH/metadata} is Spark's own (class, uid,
 * params, Spark version), {@code PATH/ringfold/model.rfm} the Ringfold model file, unchanged, so it can
 * also be served or inspected as it is. Paths go through Hadoop's file systems (local, HDFS, S3...).
 */
final class RingfoldModelIO {

    static final String MODEL_FILE = "ringfold/model.rfm";

    private RingfoldModelIO() {
    }

    static final class Writer extends MLWriter {
        private final RingfoldModel<?> instance;

        Writer(RingfoldModel<?> instance) {
            this.instance = instance;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, sparkSession());
            Path file = new Path(path, MODEL_FILE);
            byte[] bytes = ModelBytes.encode(instance.ringfoldModel());
            try {
                FileSystem fs = file.getFileSystem(sc().hadoopConfiguration());
                try (FSDataOutputStream out = fs.create(file, true)) {
                    out.write(bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
            }
        }
    }

    static final class Reader<M extends RingfoldModel<M>> extends MLReader<M> {
        private final Class<M> type;
        private final BiFunction<String, io.ringfold.model.Model, M> factory;

        Reader(Class<M> type, BiFunction<String, io.ringfold.model.Model, M> factory) {
            this.type = type;
            this.factory = factory;
        }

        @Override
        public M load(String path) {
            DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
                    type.getName());
            Path file = new Path(path, MODEL_FILE);
            byte[] bytes;
            try {
                FileSystem fs = file.getFileSystem(sc().hadoopConfiguration());
                long length = fs.getFileStatus(file).getLen();
                if (length > Integer.MAX_VALUE - 16) {
                    throw new IllegalArgumentException(file + ": " + length + " bytes (expected: at most 2 GiB)");
                }
                bytes = new byte[(int) length];
                try (FSDataInputStream in = fs.open(file)) {
                    in.readFully(bytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
            }
            M model = factory.apply(metadata.uid(), ModelBytes.decode(bytes));
            metadata.getAndSetParams(model, metadata.getAndSetParams$default$2());
            return model;
        }
    }
}
