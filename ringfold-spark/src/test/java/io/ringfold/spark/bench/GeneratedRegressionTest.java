package io.ringfold.spark.bench;

import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The generated least-squares data: a row depends on the seed and its index only, and is what the Javadoc says. */
class GeneratedRegressionTest {

    private static final long SEED = 7;
    private static final GeneratedRegression PROBLEM = new GeneratedRegression(4000, 6, SEED);

    private static List<Row> rows(long from, long to) {
        Iterator<Long> indices = LongStream.range(from, to).boxed().iterator();
        List<Row> out = new ArrayList<>();
        PROBLEM.rowsOf(indices).forEachRemaining(out::add);
        return out;
    }

    @Test
    void aRowIsTheSameWhicheverPartitionMakesIt() {
        List<Row> whole = rows(0, 100);
        List<Row> tail = rows(60, 100);
        for (int i = 0; i < tail.size(); i++) {
            assertThat(tail.get(i)).isEqualTo(whole.get(60 + i));
        }
        assertThat(whole.get(0)).isNotEqualTo(whole.get(1));
    }

    @Test
    void labelsAreTheLinearModelPlusNoiseOfStandardDeviationOneHalf() {
        double[] offset = new double[6];
        double[] scale = new double[6];
        double[] beta = new double[6];
        PROBLEM.columns(offset, scale, beta);
        double sum = 0;
        double squares = 0;
        double[] featureSum = new double[6];
        List<Row> rows = rows(0, PROBLEM.rows());
        for (Row r : rows) {
            Vector x = r.getAs(0);
            double residual = r.getDouble(1) - 3.0;
            for (int j = 0; j < 6; j++) {
                residual -= beta[j] * x.apply(j);
                featureSum[j] += x.apply(j);
            }
            sum += residual;
            squares += residual * residual;
        }
        int n = rows.size();
        // 4,000 draws (seed 7): the noise's mean within 4 standard errors of 0, its standard deviation near 0.5.
        assertThat(sum / n).isCloseTo(0.0, within(4 * 0.5 / Math.sqrt(n)));
        assertThat(Math.sqrt(squares / n - (sum / n) * (sum / n))).isCloseTo(0.5, within(0.03));
        for (int j = 0; j < 6; j++) {
            assertThat(featureSum[j] / n).as("mean of feature %d", j).isCloseTo(offset[j], within(4 * scale[j] / Math.sqrt(n)));
            assertThat(scale[j]).isBetween(0.5, 2.0);
            assertThat(offset[j]).isBetween(-1.0, 1.0);
        }
    }

    @Test
    void sizesMustBePositive() {
        assertThatThrownBy(() -> new GeneratedRegression(0, 3, 1)).hasMessage("rows: 0 (expected: > 0)");
        assertThatThrownBy(() -> new GeneratedRegression(5, -1, 1)).hasMessage("features: -1 (expected: > 0)");
    }
}
