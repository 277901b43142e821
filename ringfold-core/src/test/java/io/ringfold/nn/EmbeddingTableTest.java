package io.ringfold.nn;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link EmbeddingTable}: any range of the table's initial rows and the parameters after it have the bits of
 * {@link Network#initialParameters}, and the network over a smaller vocabulary lays the rest out the same.
 */
class EmbeddingTableTest {

    private static final Network NET = Network.of(Shape.vector(50), LayerList.parse("embeddingbag(6,mode=sum),relu,"
            + "dense(4)"), 3, Loss.CROSS_ENTROPY);

    @Test
    void rowsAndRestAreTheInitialVectorsParts() {
        EmbeddingTable table = EmbeddingTable.of(NET);
        assertThat(table.rows()).isEqualTo(50);
        assertThat(table.dim()).isEqualTo(6);
        assertThat(table.mean()).isFalse();
        float[] full = NET.initialParameters(13);
        assertThat(table.restCount()).isEqualTo(full.length - 300);
        float[] rows = new float[1 + 9 * 6];
        table.initialRows(13, 17, 26, rows, 1);
        assertThat(Arrays.copyOfRange(rows, 1, rows.length)).containsExactly(Arrays.copyOfRange(full, 17 * 6, 26 * 6));
        assertThat(table.initialRest(13)).containsExactly(Arrays.copyOfRange(full, 300, full.length));
        Network small = table.withRows(7);
        assertThat(small.parameterCount()).isEqualTo(7 * 6 + table.restCount());
        float[] smallInit = small.initialParameters(13);
        assertThat(Arrays.copyOfRange(smallInit, 42, smallInit.length)).containsExactly(table.initialRest(13));
    }

    @Test
    void aNetworkWithoutATableHasNone() {
        assertThat(EmbeddingTable.of(Network.of(Shape.vector(5), LayerList.parse("dense(4)"), 2, Loss.CROSS_ENTROPY)))
                .isNull();
    }

    @Test
    void rowsOutsideTheTableAreRefused() {
        EmbeddingTable table = EmbeddingTable.of(NET);
        assertThatThrownBy(() -> table.initialRows(1, 40, 51, new float[66], 0))
                .hasMessage("table rows: [40, 51) (expected: within [0, 50))");
    }
}
