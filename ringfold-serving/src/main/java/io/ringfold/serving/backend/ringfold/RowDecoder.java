package io.ringfold.serving.backend.ringfold;

import io.ringfold.model.Model;
import io.ringfold.serving.core.BadInputException;
import io.ringfold.serving.core.DataType;
import io.ringfold.serving.core.Tensor;

/**
 * Turns a request's input tensor into the model's preprocessed rows, checking every value first. A numeric
 * tensor's values become floats (FP32 as they are, integers and FP64 rounded to the nearest float) and pass
 * through {@code Preprocessor.transformRow}; a BYTES tensor's strings go through
 * {@code Preprocessor.parseAndTransform}, exactly as {@code ringfold predict} reads CSV cells, and a text
 * column's string is tokenised and counted there with the model's saved vocabulary, so server and command line
 * give the same bits for the same rows. An empty string in a column that is not text is a missing value, as an
 * empty CSV cell is.
 */
public final class RowDecoder {

    private final Model model;
    private final RingfoldSignature signature;
    private final int outWidth;
    /** No categorical or text column: the input is a numeric tensor. */
    private final boolean numeric;

    public RowDecoder(Model model, RingfoldSignature signature) {
        this.model = model;
        this.signature = signature;
        this.outWidth = model.network().inputSize();
        this.numeric = model.preprocessor().numeric();
    }

    /** Width of a decoded (preprocessed) row. */
    public int outputWidth() {
        return outWidth;
    }

    /**
     * Decodes the {@code rows} rows of {@code in} (rows × width values, row-major; its datatype already checked
     * against the signature) into a new rows × outputWidth array.
     *
     * @param where names the input in error messages, e.g. {@code "input 'input'"}
     */
    public float[] decode(String where, Tensor in, int rows) {
        if (rows < 1) {
            throw new BadInputException(where + ": 0 rows (expected: at least 1)");
        }
        int width = signature.width();
        float[] out = new float[rows * outWidth];
        if (numeric) {
            float[] raw = new float[width];
            // FP32, the common request, is read from its array directly; other datatypes convert value by value.
            float[] fp32 = in.datatype() == DataType.FP32 ? in.floats() : null;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < width; c++) {
                    float f = fp32 != null ? fp32[r * width + c] : Float.NaN;
                    raw[c] = Float.isFinite(f) ? f : number(where, in, r, c);
                }
                System.arraycopy(model.preprocessor().transformRow(raw), 0, out, r * outWidth, outWidth);
            }
            return out;
        }
        String[] cells = new String[width];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < width; c++) {
                cells[c] = in.string(r * width + c);
            }
            float[] t;
            try {
                t = model.preprocessor().parseAndTransform(cells);
            } catch (IllegalArgumentException e) {
                throw new BadInputException(where + ": row " + r + ": " + e.getMessage());
            }
            System.arraycopy(t, 0, out, r * outWidth, outWidth);
        }
        return out;
    }

    /** Value (r, c) as a finite float, or BadInputException naming it. */
    private float number(String where, Tensor in, int r, int c) {
        int i = r * signature.width() + c;
        float f = switch (in.datatype()) {
            case FP32, FP16, BF16 -> in.floats()[i];
            case FP64 -> (float) in.doubles()[i];
            case INT8, INT16, INT32, UINT8, UINT16 -> in.ints()[i];
            case INT64, UINT32 -> in.longs()[i];
            case UINT64 -> {
                long v = in.longs()[i];
                yield v >= 0 ? v : Float.parseFloat(Long.toUnsignedString(v));
            }
            default -> throw new IllegalStateException(in + ": not numeric");
        };
        if (!Float.isFinite(f)) {
            Object v = in.datatype() == DataType.FP64 ? (Object) in.doubles()[i] : (Object) f;
            throw new BadInputException(where + ": row " + r + ", column '" + signature.columns().get(c) + "': " + v
                    + " (expected: a finite number within float range)");
        }
        return f;
    }
}
