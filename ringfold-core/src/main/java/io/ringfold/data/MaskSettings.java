package io.ringfold.data;

/**
 * The two settings of column masking, declared once: the mask spec ({@link ColumnMasks#parse}) and the file of
 * the {@link MaskKey}. The command line's {@code --mask} and {@code --mask-key-file} and the Spark Params
 * {@code mask} and {@code maskKeyFile} take their names, labels and help from here, so they cannot drift apart.
 * Constants, because the command line's annotations need them.
 */
public final class MaskSettings {

    /** The mask spec's flag. */
    public static final String MASK_FLAG = "--mask";
    /** The mask spec's Spark Param. */
    public static final String MASK_PARAM = "mask";
    public static final String MASK_LABEL = "COL=MASK[,...]";
    public static final String MASK_HELP = "Masks of sensitive columns, applied to their raw cells before anything "
            + "else reads them, e.g. email=hmac,age=bucket(10),name=drop; MASK is " + ColumnMask.FORMS + ". Stored "
            + "with the model (without the key) and applied to raw rows at prediction (docs/privacy.md).";

    /** The key file's flag. */
    public static final String KEY_FILE_FLAG = "--mask-key-file";
    /** The key file's Spark Param. */
    public static final String KEY_FILE_PARAM = "maskKeyFile";
    public static final String KEY_FILE_LABEL = "FILE";
    public static final String KEY_FILE_HELP = "The file of the secret key of the hmac column masks (at least "
            + MaskKey.MIN_BYTES + " bytes, e.g. from openssl rand -hex 32), read where the masks are fitted and "
            + "applied; never stored in a model, which keeps only its fingerprint (docs/privacy.md).";

    private MaskSettings() {
    }
}
