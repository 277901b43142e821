package io.ringfold.spark;

import io.ringfold.data.ColumnMasks;
import io.ringfold.data.DataSpec;
import io.ringfold.data.MaskKey;
import io.ringfold.model.Model;
import io.ringfold.parallel.CheckpointPolicy;
import io.ringfold.parallel.DataParallelTrainer;
import io.ringfold.parallel.WorkerThreads;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.Blas;
import io.ringfold.tensor.BlasSelection;
import io.ringfold.tensor.FloatMatrix;
import io.ringfold.train.Preprocessing;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingListener;
import io.ringfold.train.TrainingRun;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RingfoldMasker} at the head of a pipeline masks raw columns as {@code ringfold train --mask} does: the
 * pipeline trains the model the command line's code path trains on the same file, key and seed (the same
 * parameter digest), predicts what that model predicts from the same raw rows, and its saved directory holds no
 * raw value of a masked column and not the key, only the key file's path. The CLI side is TrainCommand's
 * {@code --workers} path, as {@link SparkDeterminismTest}'s: {@code --mask name=drop,email=hmac,age=bucket(10)
 * --mask-key-file KEY --model mlp --hidden 8 --epochs 3 --batch-size 16 --lr 0.01 --seed 7 --workers 1 --shards 4
 * --no-standardize --test-split 0}.
 */
class MaskingPipelineTest {

    static final String SPEC = "name=drop,email=hmac,age=bucket(10)";
    static final String KEY = "7f3a9c1e5b2d4f60a8c7e9b1d3f5a7c9";

    @TempDir
    static Path dir;
    static Path csv;
    static Path keyFile;
    static List<String> names = new ArrayList<>();
    static List<String> emails = new ArrayList<>();
    static SparkSession spark;

    @BeforeAll
    static void data() throws IOException {
        long seed = 11;
        System.out.println("MaskingPipelineTest data seed " + seed);
        SplitMix64 rng = new SplitMix64(seed);
        StringBuilder sb = new StringBuilder("name,email,age,a,b,label\n");
        for (int i = 0; i < 120; i++) {
            // Four people: the assembled vectors (4 one-hot slots, then age, a, b) are dense, so Spark trains on
            // dense blocks as the command line does; sparse ones would train on CSR blocks, summing in another order.
            int person = rng.nextInt(4);
            int c = rng.nextInt(3);
            String name = "Person" + (char) ('A' + person) + " Surname" + (1000 + person);
            String email = "person" + person + ".secret@example.org";
            if (!names.contains(name)) {
                names.add(name);
                emails.add(email);
            }
            int age = 18 + rng.nextInt(60);
            double a = Math.rint((c + rng.nextGaussian()) * 64) / 64;
            double b = Math.rint((-0.7 * c + rng.nextGaussian()) * 64) / 64;
            sb.append(name).append(',').append(email).append(',').append(age).append(',')
                    .append(BigDecimal.valueOf(a).toPlainString()).append(',')
                    .append(BigDecimal.valueOf(b).toPlainString()).append(',').append(c).append('\n');
        }
        csv = dir.resolve("people.csv");
        Files.writeString(csv, sb);
        keyFile = dir.resolve("mask.key");
        Files.writeString(keyFile, KEY + "\n");
        spark = SparkTestSession.get();
    }

    static Dataset<Row> raw() {
        return spark.read().option("header", true).option("inferSchema", true).csv(csv.toString());
    }

    /** Masker, then the pseudonyms one-hot in sorted order (as Ringfold's vocabulary), then the classifier. */
    static Pipeline pipeline(RingfoldMasker masker) {
        StringIndexer indexer = new StringIndexer().setInputCol("email").setOutputCol("email_index")
                .setStringOrderType("alphabetAsc");
        OneHotEncoder oneHot = new OneHotEncoder().setInputCol("email_index").setOutputCol("email_onehot")
                .setDropLast(false);
        VectorAssembler assembler = new VectorAssembler()
                .setInputCols(new String[] {"email_onehot", "age", "a", "b"}).setOutputCol("features");
        RingfoldClassifier classifier = new RingfoldClassifier().setModelType("mlp").setHiddenLayers(8).setEpochs(3)
                .setBatchSize(16).setLearningRate(0.01).setSeed(7).setNumShards(4).setNumWorkers(1);
        return new Pipeline().setStages(new PipelineStage[] {masker, indexer, oneHot, assembler, classifier});
    }

    static RingfoldMasker masker() {
        return new RingfoldMasker().setMask(SPEC).setMaskKeyFile(keyFile.toString());
    }

    /** What TrainCommand trains from the flags above. */
    static Model cliModel() {
        TrainingConfig cfg = SparkDeterminismTest.cliConfig("mlp", new int[] {8});
        ColumnMasks masks = ColumnMasks.parse(SPEC).withKey(MaskKey.read(keyFile));
        Blas blas = BlasSelection.createRequested(1);
        DataSpec.LoadedData loaded = DataSpec.parse("csv:" + csv).withMasks(masks).load();
        return TrainingRun.run(loaded, cfg, blas, TrainingListener.NONE, WorkerThreads.fitter(
                new DataParallelTrainer(cfg, blas, 4, true), 1, Duration.ofSeconds(30), CheckpointPolicy.none()),
                new Preprocessing.Fit(masks)).model();
    }

    @Test
    void aMaskedPipelineTrainsAndPredictsAsTheCommandLineAndSavesNoRawValueNorTheKey() throws Exception {
        PipelineModel fitted = pipeline(masker()).fit(raw());
        Model cli = cliModel();
        RingfoldClassificationModel trained = (RingfoldClassificationModel) fitted.stages()[4];
        assertThat(trained.parameterDigest()).as("the model ringfold train --mask trains").isEqualTo(cli.parameterDigest());

        // Raw rows in, predictions out: the pipeline masks them as the CLI-trained model (as the server) does.
        List<Double> cliPredictions = cliPredictions(cli);
        assertThat(predictions(fitted)).isEqualTo(cliPredictions);
        RingfoldMaskerModel maskerModel = (RingfoldMaskerModel) fitted.stages()[0];
        assertThat(maskerModel.getOrDefault(maskerModel.maskKeyFingerprint()))
                .isEqualTo(MaskKey.read(keyFile).fingerprint());
        Set<String> pseudonyms = new HashSet<>(maskerModel.transform(raw()).select("email").as(
                org.apache.spark.sql.Encoders.STRING()).collectAsList());
        assertThat(pseudonyms).as("the command line's pseudonyms")
                .isEqualTo(new HashSet<>(DataSpec.parse("csv:" + csv).withMasks(ColumnMasks.parse(SPEC)
                        .withKey(MaskKey.read(keyFile))).load().train().schema().categoricalVocabularies().get("email")));
        assertThat(maskerModel.transform(raw()).columns()).containsExactly("email", "age", "a", "b", "label");
        assertThat(maskerModel.explainParams()).contains(keyFile.toString()).doesNotContain(KEY);

        Path saved = dir.resolve("pipeline");
        // Uncompressed, so that a value written by any stage is visible to the search below.
        spark.conf().set("spark.sql.parquet.compression.codec", "uncompressed");
        try {
            fitted.write().overwrite().save(saved.toString());
        } finally {
            spark.conf().unset("spark.sql.parquet.compression.codec");
        }
        String everything = allFiles(saved);
        assertThat(everything).as("the key file's path is saved").contains(keyFile.toString());
        assertThat(everything).as("the pseudonyms the indexer keeps are visible to this search")
                .contains(pseudonyms.iterator().next());
        assertThat(everything).doesNotContain(KEY);
        for (int i = 0; i < names.size(); i++) {
            assertThat(everything).as("raw values of masked columns").doesNotContain(names.get(i))
                    .doesNotContain(emails.get(i));
        }

        PipelineModel loaded = PipelineModel.load(saved.toString());
        assertThat(predictions(loaded)).as("the key read again from maskKeyFile").isEqualTo(cliPredictions);

        Path otherKey = dir.resolve("other.key");
        Files.writeString(otherKey, "0123456789abcdef0123456789abcdef");
        RingfoldMaskerModel reloaded = (RingfoldMaskerModel) PipelineModel.load(saved.toString()).stages()[0];
        reloaded.setMaskKeyFile(otherKey.toString());
        assertThatThrownBy(() -> reloaded.transform(raw()))
                .hasMessage("maskKeyFile " + otherKey + ": fingerprint " + MaskKey.read(otherKey).fingerprint()
                        + " (expected: " + MaskKey.read(keyFile).fingerprint() + ", the key the hmac columns were "
                        + "fitted with)");
    }

    @Test
    void aMaskerRefusesWhatTheCommandLineRefuses() {
        assertThatThrownBy(() -> new RingfoldMasker().setMask("email=hash"))
                .hasMessageContaining("mask: column 'email': 'hash' (expected: drop, redact, hmac");
        assertThatThrownBy(() -> new RingfoldMasker().setMask("email=hmac").fit(raw()))
                .hasMessage("mask: columns [email] are hmac (expected: maskKeyFile with the secret key)");
        assertThatThrownBy(() -> new RingfoldMasker().setMask("age=bucket(10)").setMaskKeyFile(keyFile.toString())
                .fit(raw()))
                .hasMessage("maskKeyFile: no hmac column in mask age=bucket(10) (expected: the key only with an hmac mask)");
        assertThatThrownBy(() -> new RingfoldMasker().setMask("phone=redact").fit(raw()))
                .hasMessage("mask: columns [phone] not in the data (expected: columns of [name, email, age, a, b, label])");
        assertThatThrownBy(() -> new RingfoldMasker().setMask("label=date(year)").fit(raw()))
                .hasMessage("mask: column 'label' (masked date(year)): type int (expected: a date, timestamp or string "
                        + "column)");
        // A string column masked as numbers is checked cell by cell, and the message withholds the cell.
        assertThatThrownBy(() -> new RingfoldMasker().setMask("name=bucket(5)").fit(raw()).transform(raw()).count())
                .rootCause().hasMessage("column 'name' (masked bucket(5)): not a finite number, value withheld "
                        + "(expected: a finite number in plain decimal notation)");
        assertThatThrownBy(() -> new RingfoldMasker().setMask("email=hmac")
                .setMaskKeyFile(dir.resolve("absent.key").toString()).fit(raw()))
                .hasMessage("maskKeyFile " + dir.resolve("absent.key") + ": no such file (expected: the mask key file)");
    }

    private static List<Double> predictions(PipelineModel m) {
        return m.transform(raw()).select("prediction").as(org.apache.spark.sql.Encoders.DOUBLE()).collectAsList();
    }

    /** The CLI model's predicted class of each raw CSV row, from its cells as a request sends them. */
    private static List<Double> cliPredictions(Model cli) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        List<String> header = List.of(lines.get(0).split(","));
        List<String> inputs = cli.preprocessor().inputColumns();
        List<Double> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            String[] in = new String[inputs.size()];
            for (int c = 0; c < in.length; c++) {
                in[c] = cells[header.indexOf(inputs.get(c))];
            }
            float[] x = cli.preprocessor().parseAndTransform(in);
            FloatMatrix row = new FloatMatrix(1, x.length);
            System.arraycopy(x, 0, row.data(), 0, x.length);
            out.add((double) cli.predictedClasses(cli.predictPreprocessed(Blas.get(), row))[0]);
        }
        return out;
    }

    private static String allFiles(Path root) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                sb.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).append('\n');
            }
        }
        return sb.toString();
    }
}
