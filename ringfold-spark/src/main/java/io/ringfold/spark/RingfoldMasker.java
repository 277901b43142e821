package io.ringfold.spark;

import io.ringfold.data.ColumnMasks;
import io.ringfold.data.MaskKey;
import io.ringfold.data.MaskSettings;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Path;

/**
 * Masks sensitive raw columns as {@code ringfold train --mask} does, as the first stage of a pipeline, before the
 * columns are indexed and assembled into the features vector that {@link RingfoldClassifier} and
 * {@link RingfoldRegressor} take: Params {@code mask} ({@code email=hmac,age=bucket(10),name=drop}) and
 * {@code maskKeyFile}. {@code fit} reads the key on the driver and binds it; the fitted {@link RingfoldMaskerModel}
 * masks the raw rows of every {@code transform}, in training and in scoring, so a fitted pipeline applies the masks
 * to raw rows as the server does to raw requests. The key never becomes a Param value: the model keeps the file's
 * path and the key's fingerprint (docs/spark.md, "Masking sensitive columns").
 */
public final class RingfoldMasker extends Estimator<RingfoldMaskerModel> implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;
    private final Param<String> mask;
    private final Param<String> maskKeyFile;

    public RingfoldMasker() {
        this(Identifiable.randomUID("ringfoldMasker"));
    }

    public RingfoldMasker(String uid) {
        this.uid = uid;
        mask = MaskParams.mask(this);
        maskKeyFile = MaskParams.keyFile(this);
    }

    @Override
    public String uid() {
        return uid;
    }

    public Param<String> mask() { return mask; }
    public Param<String> maskKeyFile() { return maskKeyFile; }

    public RingfoldMasker setMask(String v) { set(mask, v); return this; }
    public RingfoldMasker setMaskKeyFile(String v) { set(maskKeyFile, v); return this; }

    /**
     * The model of these masks with the key of {@code maskKeyFile} read here, on the driver, and bound. The data is
     * not read: a mask is a function of one cell. Refused: no {@code mask}, an hmac mask without a key file, a key
     * file without an hmac mask, a masked column the data lacks or cannot be masked in.
     */
    @Override
    public RingfoldMaskerModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        ColumnMasks masks = MaskParams.parse((String) getOrDefault(mask));
        MaskKey key = null;
        if (masks.needsKey()) {
            if (!isDefined(maskKeyFile)) {
                throw new IllegalArgumentException(MaskSettings.MASK_PARAM + ": columns " + masks.hmacColumns()
                        + " are hmac (expected: " + MaskSettings.KEY_FILE_PARAM + " with the secret key)");
            }
            key = readKey((String) getOrDefault(maskKeyFile));
        } else if (isDefined(maskKeyFile)) {
            throw new IllegalArgumentException(MaskSettings.KEY_FILE_PARAM + ": no hmac column in mask "
                    + masks.spec() + " (expected: the key only with an hmac mask)");
        }
        RingfoldMaskerModel model = new RingfoldMaskerModel(uid, key);
        copyValues(model.setParent(this), new ParamMap());
        if (key != null) {
            model.setKeyFingerprint(key.fingerprint());
        }
        return model;
    }

    /** The key in {@code file}, read on the driver; a message names the file and never its content. */
    static MaskKey readKey(String file) {
        try {
            return MaskKey.read(Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(MaskSettings.KEY_FILE_PARAM + " " + e.getMessage(), e);
        }
    }

    @Override
    public StructType transformSchema(StructType schema) {
        if (!isDefined(mask)) {
            throw new IllegalArgumentException(MaskSettings.MASK_PARAM + ": none (expected: COLUMN=MASK[,...], e.g. "
                    + "email=hmac,age=bucket(10),name=drop)");
        }
        return MaskedColumns.of(schema, MaskParams.parse((String) getOrDefault(mask))).outputSchema();
    }

    @Override
    public RingfoldMasker copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    public static MLReader<RingfoldMasker> read() {
        return new DefaultParamsReader<>();
    }

    public static RingfoldMasker load(String path) {
        return read().load(path);
    }
}
