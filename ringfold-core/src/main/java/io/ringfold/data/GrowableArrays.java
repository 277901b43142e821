package io.ringfold.data;

import java.util.Arrays;

/** Append-only primitive arrays for readers that do not know the row count in advance. */
final class GrowableArrays {

    private GrowableArrays() {
    }

    static final class Floats {
        private float[] data = new float[1024];
        private int size;

        void add(float v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, grow(data.length));
            }
            data[size++] = v;
        }

        float get(int i) {
            return data[i];
        }

        int size() {
            return size;
        }

        /** The first {@link #size()} values; the builder should not be used afterwards. */
        float[] toArray() {
            return size == data.length ? data : Arrays.copyOf(data, size);
        }
    }

    static final class Ints {
        private int[] data = new int[1024];
        private int size;

        void add(int v) {
            if (size == data.length) {
                data = Arrays.copyOf(data, grow(data.length));
            }
            data[size++] = v;
        }

        int get(int i) {
            return data[i];
        }

        int size() {
            return size;
        }

        int[] toArray() {
            return size == data.length ? data : Arrays.copyOf(data, size);
        }
    }

    private static int grow(int length) {
        int next = length + (length >> 1) + 16;
        if (next < 0 || next > Integer.MAX_VALUE - 8) {
            if (length >= Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("data set too large: more than " + length + " values");
            }
            return Integer.MAX_VALUE - 8;
        }
        return next;
    }
}
