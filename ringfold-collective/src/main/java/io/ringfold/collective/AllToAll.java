package io.ringfold.collective;

import java.lang.reflect.Array;

/**
 * What every implementation of {@link Communicator#allToAll} shares: the check of its argument (one block
 * per rank, none null) and the copy of a block, for any primitive array type.
 */
final class AllToAll {

    private AllToAll() {
    }

    /** Refuses {@code toEach} unless it holds one array per rank of a group of {@code size}. */
    static void check(Object[] toEach, int size) {
        if (toEach.length != size) {
            throw new IllegalArgumentException("alltoall: " + toEach.length + " blocks (expected: " + size + ", one per rank)");
        }
        for (int q = 0; q < size; q++) {
            if (toEach[q] == null) {
                throw new IllegalArgumentException("alltoall: block " + q + " is null (expected: an array, empty for nothing)");
            }
        }
    }

    /** A new array of {@code blocks}' element type and {@code length} elements. */
    @SuppressWarnings("unchecked")
    static <T> T newBlock(T[] blocks, int length) {
        return (T) Array.newInstance(blocks.getClass().getComponentType().getComponentType(), length);
    }

    /** A copy of {@code block}, one of {@code blocks}. */
    static <T> T copy(T[] blocks, T block) {
        int n = Array.getLength(block);
        T c = newBlock(blocks, n);
        System.arraycopy(block, 0, c, 0, n);
        return c;
    }

    static int length(Object block) {
        return Array.getLength(block);
    }
}
