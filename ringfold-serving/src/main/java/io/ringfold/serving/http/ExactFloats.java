package io.ringfold.serving.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;


import java.io.IOException;
import java.util.Arrays;

/**
 * JSON numbers read straight from a parser into a growing {@code float[]}, each the float that
 * {@code RowDecoder.exactFloat} gives for the tree node Jackson would have built from the same token
 * (an int or long converted; a double kept only when it is exactly a finite float). Any other token is
 * refused, and the caller then takes the tree path, which decides and names the error.
 */
final class ExactFloats {

    private float[] values = new float[64];
    private int size;
    private boolean fractional;

    /**
     * Appends the value of the parser's current token; false, appending nothing, when the token is not an
     * int, a long or an exactly representable finite double.
     */
    boolean add(JsonParser p) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.VALUE_NUMBER_INT) {
            JsonParser.NumberType nt = p.getNumberType();
            if (nt != JsonParser.NumberType.INT && nt != JsonParser.NumberType.LONG) {
                return false;
            }
            addIntegral(p.getLongValue());
            return true;
        }
        return t == JsonToken.VALUE_NUMBER_FLOAT && !p.isNaN() && addFractional(p.getDoubleValue());
    }

    /** Appends an integer's value (converted as {@code IntNode} and {@code LongNode} do: rounded to nearest). */
    void addIntegral(long v) {
        append(v);
    }

    /**
     * Appends a JSON floating-point number's double value when it is exactly a finite float; false, appending
     * nothing, otherwise.
     */
    boolean addFractional(double d) {
        float f = (float) d;
        if (f != d || !Float.isFinite(f)) {
            return false;
        }
        fractional = true;
        append(f);
        return true;
    }

    private void append(float f) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = f;
    }

    int size() {
        return size;
    }

    /** Whether some value was written as a JSON floating-point number (with '.' or an exponent). */
    boolean fractional() {
        return fractional;
    }

    /** The values so far (the array may be longer than {@link #size()}). */
    float[] values() {
        return values;
    }

    /** The values as an array of exactly {@link #size()} elements: the buffer itself when it is that long. */
    float[] toArray() {
        return values.length == size ? values : Arrays.copyOf(values, size);
    }
}
