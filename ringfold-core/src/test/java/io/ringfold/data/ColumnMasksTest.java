package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.ringfold.tensor.FloatMatrix;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Masks of sensitive columns: each transformation as the reader applies it at training and as the stored
 * preprocessor applies it to raw rows at prediction (the same bits both ways), the key and its fingerprint, and
 * the refusals, none of which shows a raw value.
 *
 * <p>The expected pseudonyms and fingerprint come from Python's hmac module, independently of this code:
 * <pre>
 * import hmac, hashlib
 * k = b'0123456789abcdef0123456789abcdef'
 * hmac.new(k, b'ringfold-mask-key-fingerprint-v1', hashlib.sha256).hexdigest()[:32]
 * hmac.new(k, b'email\x00alice@example.org', hashlib.sha256).hexdigest()[:32]
 * hmac.new(k, b'email\x00bob@example.org', hashlib.sha256).hexdigest()[:32]
 * </pre>
 */
class ColumnMasksTest {

    private static final MaskKey KEY = MaskKey.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
    private static final String FINGERPRINT = "8d72effc5519d8da8e3c9dcb099129c4";
    private static final String ALICE = "3582c8734321c345f680a9534047b4b1";
    private static final String BOB = "49ae0b3d89c20d1aeef7cd93f5066bb4";

    @TempDir
    Path dir;

    private static final String CSV = "name,email,age,born,note,y\n"
            + "Zebulon Quux,alice@example.org,37.5,1961-07-23,secret one,0\n"
            + "Ada Lovelace,bob@example.org,44,1970-02-01T08:30:00,,1\n"
            + "Kim Park, alice@example.org ,NA,1961-12-31,secret two,0\n";

    private static final ColumnMasks MASKS = ColumnMasks.parse(
            "name=drop,email=hmac,age=bucket(10),born=date(month),note=redact").withKey(KEY);

    private Dataset read() {
        return new CsvReader().withMasks(MASKS).read(TestFiles.text(dir, "people.csv", CSV));
    }

    @Test
    void specsParseAndPrintBack() {
        ColumnMasks m = ColumnMasks.parse(" email = hmac , age=bucket(2.50),born=date(year),x=redact,n=drop");
        assertThat(m.spec()).isEqualTo("email=hmac,age=bucket(2.5),born=date(year),x=redact,n=drop");
        assertThat(m.hmacColumns()).containsExactly("email");
        assertThat(m.droppedColumns()).containsExactly("n");
        assertThat(m.needsKey()).isTrue();
        assertThat(m.ready()).isFalse();
        assertThat(m.withKey(KEY).ready()).isTrue();
        assertThat(ColumnMasks.parse("a=bucket(1e1)").spec()).isEqualTo("a=bucket(10)");
    }

    @Test
    void badSpecsAreRefusedInOneLine() {
        assertThatThrownBy(() -> ColumnMasks.parse("email=hmak")).hasMessage("column 'email': 'hmak' (expected: "
                + "drop, redact, hmac, bucket(W) or date(year|month|day))");
        assertThatThrownBy(() -> ColumnMasks.parse("email")).hasMessageStartingWith("'email' (expected: COLUMN=MASK");
        assertThatThrownBy(() -> ColumnMasks.parse("a=drop,a=hmac")).hasMessage(
                "column 'a' masked twice (expected: one mask per column)");
        assertThatThrownBy(() -> ColumnMasks.parse("a=bucket(0)")).hasMessage(
                "column 'a': bucket width 0 (expected: a finite number > 0)");
        assertThatThrownBy(() -> ColumnMasks.parse("a=bucket(ten)")).hasMessageContaining("bucket width 'ten'");
        assertThatThrownBy(() -> ColumnMasks.parse("a=date(week)")).hasMessage(
                "column 'a': date unit 'week' (expected: year, month or day)");
        assertThatThrownBy(() -> ColumnMasks.parse(",")).hasMessageStartingWith("no column");
    }

    @Test
    void keyFingerprintIsTheHmacOfTheFixedLabel() {
        assertThat(KEY.fingerprint()).isEqualTo(FINGERPRINT);
        assertThat(KEY.toString()).doesNotContain("0123456789abcdef0123");
        assertThatThrownBy(() -> MaskKey.of(new byte[15])).hasMessageStartingWith("15 bytes (expected: at least 16");
    }

    @Test
    void keyFileLosesOneTrailingLineBreakOnly() {
        Path file = TestFiles.text(dir, "key", "0123456789abcdef0123456789abcdef\r\n");
        assertThat(MaskKey.read(file).fingerprint()).isEqualTo(FINGERPRINT);
        Path shortKey = TestFiles.text(dir, "short", "tooshort\n");
        assertThatThrownBy(() -> MaskKey.read(shortKey)).hasMessage(shortKey + ": 8 bytes (expected: at least 16, "
                + "e.g. the 64 characters openssl rand -hex 32 writes)");
        assertThatThrownBy(() -> MaskKey.read(dir.resolve("absent"))).hasMessageContaining("no such file");
    }

    @Test
    void dropRemovesTheColumnAndTheOthersBecomeWhatTheirMaskGives() {
        Dataset d = read();
        assertThat(d.schema().featureNames()).containsExactly("email", "age", "born", "note");
        assertThat(d.schema().categoricalVocabularies()).containsOnlyKeys("email", "born", "note");
        // The quoted-free cell " alice@example.org " is trimmed before hashing: one pseudonym for both.
        assertThat(d.schema().categoricalVocabularies().get("email")).containsExactly(ALICE, BOB);
        assertThat(d.schema().categoricalVocabularies().get("born")).containsExactly("1961-07", "1961-12", "1970-02");
        assertThat(d.schema().categoricalVocabularies().get("note")).containsExactly("", ColumnMask.REDACTED);
        float[] x = ((FloatMatrix) d.features()).data();
        // age: 37.5 -> 30, 44 -> 40, NA stays missing.
        assertThat(new float[] {x[1], x[5]}).containsExactly(30f, 40f);
        assertThat(x[9]).isNaN();
    }

    @Test
    void bucketsAndDatesOnTheirBoundaries() {
        ColumnMask.Bucket b = (ColumnMask.Bucket) ColumnMask.parse("bucket(10)");
        assertThat(new float[] {b.apply(0f), b.apply(9.999f), b.apply(10f), b.apply(-0.5f), b.apply(-10f)})
                .containsExactly(0f, 0f, 10f, -10f, -10f);
        assertThat(b.apply(Float.NaN)).isNaN();
        ColumnMask.DateTruncation year = new ColumnMask.DateTruncation("year");
        ColumnMask.DateTruncation day = new ColumnMask.DateTruncation("day");
        assertThat(year.apply("2024-02-29")).isEqualTo("2024");
        assertThat(day.apply("2024-02-29 23:59")).isEqualTo("2024-02-29");
        assertThat(day.apply("2023-02-29")).isNull();
        assertThat(day.apply("2024-02-290")).isNull();
        assertThat(day.apply("24-02-29")).isNull();
    }

    @Test
    void theStoredPreprocessorMasksRawRowsAsTheReaderDid() {
        Dataset d = read();
        Preprocessor p = Preprocessor.fit(d, Preprocessor.Options.defaults(true).withMasks(MASKS));
        FloatMatrix fitted = (FloatMatrix) p.apply(d).features();
        JsonNode json = p.toJson();
        assertThat(json.path("version").intValue()).isEqualTo(4);
        assertThat(json.path("masks").toString()).isEqualTo("{\"columns\":{\"name\":\"drop\",\"email\":\"hmac\","
                + "\"age\":\"bucket(10)\",\"born\":\"date(month)\",\"note\":\"redact\"},\"keyFingerprint\":\""
                + FINGERPRINT + "\"}");
        Preprocessor loaded = Preprocessor.fromJson(json);
        assertThat(loaded).isEqualTo(p);
        assertThat(loaded.masks().ready()).isFalse();
        Preprocessor keyed = loaded.withMaskKey(KEY);
        String[][] raw = {
                {"alice@example.org", "37.5", "1961-07-23", "secret one"},
                {"bob@example.org", "44", "1970-02-01T08:30:00", ""},
                {" alice@example.org ", "NA", "1961-12-31", "secret two"}};
        for (int r = 0; r < raw.length; r++) {
            float[] row = keyed.parseAndTransform(raw[r]);
            float[] expected = java.util.Arrays.copyOfRange(fitted.data(), r * p.outputWidth(), (r + 1) * p.outputWidth());
            assertThat(row).as("row %d", r).containsExactly(expected);
        }
    }

    /**
     * The first file of version 4: the people above, masked as {@link #MASKS} says, fitted without
     * standardisation (age's imputation value is the mean of its buckets 30 and 40). It must keep loading,
     * writing and masking the same.
     */
    @Test
    void goldenVersion4FileLoadsWritesAndMasksTheSame() throws Exception {
        JsonNode golden;
        try (var in = getClass().getResourceAsStream("preprocessor-v4-masks.json")) {
            golden = new com.fasterxml.jackson.databind.ObjectMapper().readTree(in);
        }
        Preprocessor p = Preprocessor.fromJson(golden);
        assertThat(p.toJson()).isEqualTo(golden);
        assertThat(p.masks().spec()).isEqualTo(MASKS.spec());
        assertThat(p.imputedValues()[1]).isEqualTo(35f);
        Preprocessor keyed = p.withMaskKey(KEY);
        // bob's pseudonym, 47.9 in bucket 40, December 1961, a redacted note.
        assertThat(keyed.parseAndTransform(new String[] {"bob@example.org", "47.9", "1961-12-05", "x"}))
                .containsExactly(0f, 1f, 40f, 0f, 1f, 0f, 0f, 1f);
        assertThat(keyed.parseAndTransform(new String[] {"carol@example.org", "", "2001-01-01", ""}))
                .containsExactly(0f, 0f, 35f, 0f, 0f, 0f, 1f, 0f);
    }

    @Test
    void aModelWithHmacColumnsNeedsItsOwnKey() {
        Dataset d = read();
        Preprocessor loaded = Preprocessor.fromJson(
                Preprocessor.fit(d, Preprocessor.Options.defaults(true).withMasks(MASKS)).toJson());
        String[] row = {"alice@example.org", "37.5", "1961-07-23", "x"};
        assertThatThrownBy(() -> loaded.parseAndTransform(row)).isInstanceOf(IllegalStateException.class)
                .hasMessage("column 'email' is masked with hmac and no key is loaded (expected: --mask-key-file FILE)");
        MaskKey other = MaskKey.of("another key of sixteen or more bytes".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> loaded.withMaskKey(other)).hasMessage("mask key: fingerprint " + other.fingerprint()
                + " (expected: " + FINGERPRINT + ", the key the hmac columns [email] were made with)");
    }

    @Test
    void cellsTheMaskCannotReadAreRefusedWithoutTheirValue() {
        Path file = TestFiles.text(dir, "bad.csv", "email,age,born,y\na@b.org,1,1999-01-01,0\n"
                + "c@d.org,TOPSECRET-41,1999-01-01,1\n");
        assertThatThrownBy(() -> new CsvReader().withMasks(ColumnMasks.parse("email=drop,age=bucket(5),born=drop")).read(file))
                .isInstanceOf(DataFormatException.class)
                .hasMessage(file + ":3: column 'age' (masked bucket(5)): not a finite number, value withheld"
                        + " (expected: a finite number in plain decimal notation)");
        Path dates = TestFiles.text(dir, "dates.csv", "born,y\n1999-01-01,0\nSECRET-1999-13-01,1\n");
        assertThatThrownBy(() -> new CsvReader().withMasks(ColumnMasks.parse("born=date(year)")).read(dates))
                .hasMessage(dates + ":3: column 'born' (masked date(year)): not an ISO date, value withheld"
                        + " (expected: YYYY-MM-DD, or a date-time starting with one)");
        Dataset d = read();
        Preprocessor p = Preprocessor.fit(d, Preprocessor.Options.defaults(true).withMasks(MASKS));
        assertThatThrownBy(() -> p.parseAndTransform(List.of(new String[][] {
                {"a@b.org", "TOPSECRET-41", "1961-07-23", "x"}})))
                .hasMessage("row 1: column 'age' (masked bucket(10)): not a finite number, value withheld"
                        + " (expected: a finite number in plain decimal notation)");
    }

    @Test
    void maskedColumnsMustBeFeatureColumnsByName() {
        Path file = TestFiles.text(dir, "t.csv", "a,b,w,y\n1,2,1,0\n3,4,1,1\n");
        CsvReader reader = new CsvReader().withWeightColumn("w");
        assertThatThrownBy(() -> reader.withMasks(ColumnMasks.parse("emial=drop")).read(file))
                .hasMessage(file + ":1: masked column 'emial' (drop) not found (expected: a column name among"
                        + " [a, b, w, y])");
        assertThatThrownBy(() -> reader.withMasks(ColumnMasks.parse("y=redact")).read(file))
                .hasMessage(file + ":1: masked column 'y' (redact) is the label (expected: a feature column; the label,"
                        + " weight and text columns are not masked)");
        assertThatThrownBy(() -> reader.withMasks(ColumnMasks.parse("w=bucket(2)")).read(file))
                .hasMessageContaining("masked column 'w' (bucket(2)) is the weight column");
        assertThatThrownBy(() -> reader.withCategorical(List.of("a")).withMasks(ColumnMasks.parse("a=bucket(2)"))
                .read(file)).hasMessageContaining("masked column 'a' (bucket(2)) is declared categorical (expected: a"
                + " numeric feature column for bucket(W))");
    }

    @Test
    void aBucketOnlyModelBucketsNumericRowsToo() {
        Path file = TestFiles.text(dir, "n.csv", "age,x,y\n31,1,0\n47,2,1\n55,3,0\n");
        ColumnMasks masks = ColumnMasks.parse("age=bucket(10)");
        Dataset d = new CsvReader().withMasks(masks).read(file);
        Preprocessor p = Preprocessor.fit(d, Preprocessor.Options.defaults(false).withMasks(masks));
        assertThat(p.numeric()).isTrue();
        assertThat(p.isIdentity()).isFalse();
        assertThat(p.transformRow(new float[] {47f, 2f})).containsExactly(40f, 2f);
        assertThat(p.parseAndTransform(new String[] {"47", "2"})).containsExactly(40f, 2f);
        assertThat(((FloatMatrix) p.apply(d).features()).data()).containsExactly(30f, 1f, 40f, 2f, 50f, 3f);
    }
}
