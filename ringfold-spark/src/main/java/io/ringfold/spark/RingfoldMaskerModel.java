package io.ringfold.spark;

import io.ringfold.data.ColumnMasks;
import io.ringfold.data.MaskKey;
import io.ringfold.data.MaskSettings;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * A fitted {@link RingfoldMasker}: masks the raw rows of every {@code transform} on the executors, the masked
 * columns replaced in place (a dropped one removed), so no later stage sees a raw value. Its Params are the spec
 * ({@code mask}), the key file's path ({@code maskKeyFile}) and the key's fingerprint ({@code maskKeyFingerprint},
 * '' without an hmac column); that is all Spark's ML persistence writes. A loaded model reads the key from
 * {@code maskKeyFile} on the driver at its first {@code transform} (set another path with
 * {@link #setMaskKeyFile}) and refuses a key whose fingerprint is not the one it was fitted with.
 */
public final class RingfoldMaskerModel extends Model<RingfoldMaskerModel> implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> mask;
    private final Param<String> maskKeyFile;
    private final Param<String> maskKeyFingerprint;
    /** Bound by fit, or read from maskKeyFile on the driver; never a Param value, so never written. */
    private transient MaskKey key;

    /** For Spark's reader; the key is read at the first transform. */
    public RingfoldMaskerModel(String uid) {
        this(uid, null);
    }

    RingfoldMaskerModel(String uid, MaskKey key) {
        this.uid = uid;
        this.key = key;
        mask = MaskParams.mask(this);
        maskKeyFile = MaskParams.keyFile(this);
        maskKeyFingerprint = new Param<>(this, "maskKeyFingerprint", "Fingerprint of the key the hmac columns were "
                + "fitted with ('' without an hmac column); a key with another fingerprint is refused.",
                ParamCheck.of("maskKeyFingerprint", "32 hex digits, or ''", v -> v != null && v.matches("([0-9a-f]{32})?")));
        setDefault(maskKeyFingerprint, "");
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> mask() { return mask; }
    public Param<String> maskKeyFile() { return maskKeyFile; }
    public Param<String> maskKeyFingerprint() { return maskKeyFingerprint; }

    /** Where to read the key on the driver: for a model loaded where the file has another path. */
    public synchronized RingfoldMaskerModel setMaskKeyFile(String v) {
        set(maskKeyFile, v);
        key = null;
        return this;
    }

    RingfoldMaskerModel setKeyFingerprint(String fingerprint) {
        set(maskKeyFingerprint, fingerprint);
        return this;
    }

    /** The masks, their key bound when a column is hmac. */
    public ColumnMasks masks() {
        ColumnMasks masks = MaskParams.parse((String) getOrDefault(mask));
        return masks.needsKey() ? masks.withKey(key()) : masks;
    }

    /** The key, read from maskKeyFile on the driver when not bound, checked against the fingerprint. */
    private synchronized MaskKey key() {
        if (key == null) {
            if (!isDefined(maskKeyFile)) {
                throw new IllegalArgumentException(MaskSettings.KEY_FILE_PARAM + ": none (expected: the file of the key "
                        + "the hmac columns were fitted with)");
            }
            key = RingfoldMasker.readKey((String) getOrDefault(maskKeyFile));
        }
        String expected = (String) getOrDefault(maskKeyFingerprint);
        if (!expected.equals(key.fingerprint())) {
            String file = (String) getOrDefault(maskKeyFile);
            MaskKey wrong = key;
            key = null;
            throw new IllegalArgumentException(MaskSettings.KEY_FILE_PARAM + " " + file + ": fingerprint "
                    + wrong.fingerprint() + " (expected: " + (expected.isEmpty() ? "none" : expected)
                    + ", the key the hmac columns were fitted with)");
        }
        return key;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return MaskedColumns.of(schema, MaskParams.parse((String) getOrDefault(mask))).outputSchema();
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        ColumnMasks masks = masks();
        MaskedColumns columns = MaskedColumns.of(dataset.schema(), masks);
        MaskingPartition f = new MaskingPartition(masks, masks.needsKey() ? key() : null,
                dataset.schema().fieldNames(), columns.actions());
        return dataset.toDF().mapPartitions(f, Encoders.row(columns.outputSchema()));
    }

    @Override
    public RingfoldMaskerModel copy(ParamMap extra) {
        RingfoldMaskerModel copy = new RingfoldMaskerModel(uid, key);
        return copyValues(copy, extra).setParent(parent());
    }

    public static MLReader<RingfoldMaskerModel> read() {
        return new DefaultParamsReader<>();
    }

    public static RingfoldMaskerModel load(String path) {
        return read().load(path);
    }
}
