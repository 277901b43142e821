package io.ringfold.onnx;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MissingCellsTest {

    /**
     * The graph recognises missing cells by a copy of ringfold-core's spellings (package-private there); read
     * the original reflectively so that a change to either fails here rather than in a client's predictions.
     */
    @Test
    void spellingsAreRingfoldCores() throws Exception {
        Class<?> cells = Class.forName("io.ringfold.data.NumberCells");
        java.lang.reflect.Field f = cells.getDeclaredField("MISSING");
        f.setAccessible(true);
        Set<Object> core = new java.util.HashSet<>((Set<?>) f.get(null));
        assertThat(MissingCells.SPELLINGS).doesNotHaveDuplicates();
        assertThat(new java.util.HashSet<Object>(MissingCells.SPELLINGS)).isEqualTo(core);
    }
}
