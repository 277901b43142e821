package io.ringfold.data;

import io.ringfold.nn.Shape;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Where training (and optionally test) data come from, written as one string on a command line:
 *
 * <ul>
 *   <li>{@code digits}: the bundled UCI optical handwritten digits (1,797 rows, 64 features 0..16, classes
 *       0..9; no test set, split one off);</li>
 *   <li>{@code fashion-mnist[:DIR]}: the IDX files of Debian package {@code dataset-fashion-mnist}
 *       (default DIR {@value #FASHION_MNIST_DIR}); {@code train-*} is the training set, {@code t10k-*} the
 *       test set;</li>
 *   <li>{@code csv:PATH[?label=COL&header=false&delimiter=;&categorical=a,b&text=COL&weight=COL&test=PATH]}
 *       (see {@link CsvReader}; {@code text} names the one column of raw text, {@code weight} the column of
 *       sample weights; the test file is read against the training file's schema);</li>
 *   <li>{@code libsvm:PATH[?features=N&test=PATH]} (see {@link LibSvmReader}; the test file gets the
 *       training file's width);</li>
 *   <li>{@code idx:IMAGES,LABELS[?test=IMAGES,LABELS]} (see {@link IdxReader}).</li>
 * </ul>
 * A spec is a value: parsing checks the syntax only, {@link #load()} reads the files.
 */
public sealed interface DataSpec permits DataSpec.Digits, DataSpec.FashionMnist, DataSpec.Csv, DataSpec.LibSvm,
        DataSpec.Idx {

    String FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

    /** The accepted forms, for messages and help texts. */
    String FORMS = "digits | fashion-mnist[:DIR] | csv:PATH[?label=COL&header=false&delimiter=;&categorical=a,b"
            + "&text=COL&weight=COL&test=PATH] | libsvm:PATH[?features=N&test=PATH] | idx:IMAGES,LABELS[?test=IMAGES,LABELS]";

    /** Training data, and test data when the source has them. */
    record LoadedData(Dataset train, Optional<Dataset> test) {
        public LoadedData {
            Objects.requireNonNull(train, "train");
            Objects.requireNonNull(test, "test");
        }
    }

    /** @throws IllegalArgumentException naming the spec and listing {@link #FORMS} */
    static DataSpec parse(String spec) {
        return DataSpecParser.parse(spec);
    }

    LoadedData load();

    /** One line saying what this spec reads, for logs and run summaries. */
    String describe();

    /**
     * This spec with {@code options} for fitting its text column's vocabulary.
     *
     * @throws IllegalArgumentException when the spec has no text column (only {@code csv:...&text=COL} has)
     */
    default DataSpec withTextOptions(TextOptions options) {
        throw new IllegalArgumentException("data: no text column (expected: csv:PATH?text=COLUMN)");
    }

    /**
     * This spec with {@code masks} applied to its columns' raw cells as they are read (see {@link ColumnMask}).
     *
     * @throws IllegalArgumentException when the spec has no named raw columns (only {@code csv:...} has)
     */
    default DataSpec withMasks(ColumnMasks masks) {
        if (masks.isEmpty()) {
            return this;
        }
        throw new IllegalArgumentException("data: " + describe().split(":", 2)[0] + " has no named raw columns to"
                + " mask (expected: csv:PATH)");
    }

    /**
     * This spec reading its files against {@code reference} (a training set's or a model's schema): for CSV, the
     * same feature columns, class names and vocabularies, a category the reference lacks coded as unseen
     * (see {@link CsvReader#withReferenceSchema}); other kinds have no names to share and return themselves.
     */
    default DataSpec readAgainst(Schema reference) {
        return this;
    }

    /** The bundled digits, a classpath resource so the project runs without any download. */
    record Digits() implements DataSpec {
        static final String RESOURCE = "digits.csv.gz";

        @Override
        public LoadedData load() {
            try (InputStream in = DataSpec.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("classpath resource io/ringfold/data/" + RESOURCE
                            + " missing (expected: packaged in ringfold-core)");
                }
                Dataset raw = new CsvReader().withHeader(false).read(in, "digits");
                Schema schema = new Schema(Schema.generatedNames("px", raw.numFeatures()), List.of(),
                        java.util.Map.of(), "digit");
                return new LoadedData(raw.withFeatures(raw.features(), schema).withExampleShape(Shape.of(1, 8, 8)),
                        Optional.empty());
            } catch (IOException e) {
                throw DataFiles.unreadable("digits", e);
            }
        }

        @Override
        public String describe() {
            return "digits: bundled UCI optical handwritten digits (E. Alpaydin, C. Kaynak; CC BY 4.0),"
                    + " 1797 images of 8x8 pixels 0..16, classes 0..9, no test set";
        }
    }

    /** Fashion-MNIST from the Debian package's directory. */
    record FashionMnist(Path directory) implements DataSpec {
        /** Zalando's names for labels 0..9. */
        public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

        public FashionMnist {
            Objects.requireNonNull(directory, "directory");
        }

        @Override
        public LoadedData load() {
            for (String prefix : List.of("train", "t10k")) {
                for (String kind : List.of("images-idx3", "labels-idx1")) {
                    Path file = directory.resolve(prefix + "-" + kind + "-ubyte.gz");
                    if (!Files.isRegularFile(file)) {
                        throw new DataFormatException(file.toString(), 0, "Fashion-MNIST file not found",
                                "the files of Debian package dataset-fashion-mnist (apt-get install"
                                        + " dataset-fashion-mnist), or fashion-mnist:DIR naming their directory");
                    }
                }
            }
            return new LoadedData(read("train"), Optional.of(read("t10k")));
        }

        private Dataset read(String prefix) {
            Dataset d = IdxReader.read(directory.resolve(prefix + "-images-idx3-ubyte.gz"),
                    directory.resolve(prefix + "-labels-idx1-ubyte.gz"));
            Schema s = d.schema();
            return d.withFeatures(d.features(), new Schema(s.featureNames(), CLASS_NAMES, s.categoricalVocabularies(),
                    s.labelName()));
        }

        @Override
        public String describe() {
            return "fashion-mnist: Zalando Fashion-MNIST (MIT licence) from " + directory
                    + ", 60000 training and 10000 test images of 28x28 pixels 0..255, 10 classes";
        }
    }

    record Csv(Path path, CsvReader reader, Optional<Path> test) implements DataSpec {
        public Csv {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(reader, "reader");
            Objects.requireNonNull(test, "test");
        }

        @Override
        public LoadedData load() {
            Dataset train = reader.read(path);
            return new LoadedData(train, test.map(t -> reader.withReferenceSchema(train.schema()).read(t)));
        }

        @Override
        public String describe() {
            return "csv: " + path + " (" + (reader.header() ? "header" : "no header") + ", delimiter '"
                    + reader.delimiter() + "', label column " + reader.labelColumn().map(c -> "'" + c + "'").orElse("last")
                    + (reader.categorical().isEmpty() ? "" : ", categorical " + reader.categorical())
                    + reader.weightColumn().map(c -> ", weight column '" + c + "'").orElse("")
                    + reader.textColumn().map(c -> ", text column '" + c + "' (vocabulary of "
                            + reader.textOptions().vocabularySize() + (reader.textOptions().ngrams() == 2
                            ? " unigrams and bigrams)" : " unigrams)")).orElse("")
                    + (reader.masks().isEmpty() ? "" : ", masked " + reader.masks().spec())
                    + ")" + test.map(t -> ", test " + t).orElse("");
        }

        @Override
        public DataSpec withMasks(ColumnMasks masks) {
            return new Csv(path, reader.withMasks(masks), test);
        }

        @Override
        public DataSpec readAgainst(Schema reference) {
            return new Csv(path, reader.withReferenceSchema(reference), test);
        }

        @Override
        public DataSpec withTextOptions(TextOptions options) {
            if (reader.textColumn().isEmpty()) {
                return DataSpec.super.withTextOptions(options);
            }
            return new Csv(path, reader.withTextOptions(options), test);
        }
    }

    /** {@code numFeatures} 0 means: the largest index in the training file. */
    record LibSvm(Path path, int numFeatures, Optional<Path> test) implements DataSpec {
        public LibSvm {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(test, "test");
            if (numFeatures < 0) {
                throw new IllegalArgumentException("numFeatures: " + numFeatures + " (expected: >= 0, 0 = from data)");
            }
        }

        @Override
        public LoadedData load() {
            LibSvmReader reader = numFeatures > 0 ? new LibSvmReader().withNumFeatures(numFeatures) : new LibSvmReader();
            Dataset train = reader.read(path);
            return new LoadedData(train,
                    test.map(t -> new LibSvmReader().withNumFeatures(train.numFeatures()).read(t)));
        }

        @Override
        public String describe() {
            return "libsvm: " + path + (numFeatures > 0 ? " (" + numFeatures + " features)" : "")
                    + test.map(t -> ", test " + t).orElse("");
        }
    }

    /** {@code testImages} and {@code testLabels} are both present or both empty. */
    record Idx(Path images, Path labels, Optional<Path> testImages, Optional<Path> testLabels) implements DataSpec {
        public Idx {
            Objects.requireNonNull(images, "images");
            Objects.requireNonNull(labels, "labels");
            if (testImages.isPresent() != testLabels.isPresent()) {
                throw new IllegalArgumentException("test: images " + testImages + ", labels " + testLabels
                        + " (expected: both or neither)");
            }
        }

        @Override
        public LoadedData load() {
            return new LoadedData(IdxReader.read(images, labels),
                    testImages.map(ti -> IdxReader.read(ti, testLabels.orElseThrow())));
        }

        @Override
        public String describe() {
            return "idx: images " + images + ", labels " + labels
                    + testImages.map(t -> ", test images " + t + ", test labels " + testLabels.orElseThrow()).orElse("");
        }
    }
}
