package io.ringfold.spark;

import io.ringfold.data.ColumnMasks;
import io.ringfold.data.MaskSettings;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;

/**
 * The Params {@code mask} and {@code maskKeyFile} of {@link RingfoldMasker} and its model, made from the one
 * declaration of the command line's {@code --mask} and {@code --mask-key-file} ({@link MaskSettings}): same names
 * but in Spark's spelling, same help, same spec syntax and checks. Only the key file's path is a Param value, never
 * the key, so Spark's {@code explainParams} and its ML persistence show and write the path alone.
 */
final class MaskParams {

    private MaskParams() {
    }

    static Param<String> mask(Params owner) {
        return new Param<>(owner, MaskSettings.MASK_PARAM, MaskSettings.MASK_HELP, new SpecCheck());
    }

    static Param<String> keyFile(Params owner) {
        return new Param<>(owner, MaskSettings.KEY_FILE_PARAM, MaskSettings.KEY_FILE_HELP + " A path on the driver.",
                ParamCheck.of(MaskSettings.KEY_FILE_PARAM, "a path", v -> v != null && !v.isEmpty()));
    }

    /** The masks a spec Param holds. */
    static ColumnMasks parse(String spec) {
        try {
            return ColumnMasks.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(MaskSettings.MASK_PARAM + ": " + e.getMessage(), e);
        }
    }

    /** Fails with the parser's message, naming the pair at fault, where ParamCheck would only say "invalid". */
    private static final class SpecCheck extends AbstractFunction1<String, Object> implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public Object apply(String spec) {
            if (spec == null) {
                throw new IllegalArgumentException(MaskSettings.MASK_PARAM + ": none (expected: COLUMN=MASK[,...])");
            }
            parse(spec);
            return Boolean.TRUE;
        }
    }
}
