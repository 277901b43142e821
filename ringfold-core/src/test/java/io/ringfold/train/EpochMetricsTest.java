package io.ringfold.train;

import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

class EpochMetricsTest {

    @Test
    void aDescribedLineReadsBackToItsPrintedFigures() {
        EpochMetrics classifier = new EpochMetrics(3, 0.4132, 0.88, Double.NaN, 0.5, 0.86, Double.NaN, Double.NaN,
                0.01f, 12.5, 4800, 2.147);
        EpochMetrics.Line line = EpochMetrics.parse(classifier.describe(10)).orElseThrow();
        assertThat(line.epochs()).isEqualTo(10);
        assertThat(line.metrics()).isEqualTo(new EpochMetrics(3, 0.4132, 0.88, Double.NaN, 0.5, 0.86, Double.NaN,
                Double.NaN, Float.NaN, 12.5, 4800, 2.147));

        EpochMetrics regressor = new EpochMetrics(1, 0.25, Double.NaN, 0.5, 0.3, Double.NaN, 0.55, 0.91, 0.1f, 0.5,
                1234567, Double.NaN);
        assertThat(EpochMetrics.parse(regressor.describe(2)).orElseThrow().metrics().toJson())
                .isEqualTo(new EpochMetrics(1, 0.25, Double.NaN, 0.5, 0.3, Double.NaN, 0.55, 0.91, Float.NaN, 0.5,
                        1234567, Double.NaN).toJson());
    }

    @Test
    void theLineIsTheSameInEveryLocaleSoAnotherProcessCanReadIt() {
        EpochMetrics m = new EpochMetrics(1, 0.5, 0.75, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                0.1f, 1.25, 12345, Double.NaN);
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertThat(m.describe(4)).isEqualTo("epoch 1/4  loss 0.5000  acc 0.7500  1.25 s  12,345 samples/s");
        } finally {
            Locale.setDefault(before);
        }
    }

    @Test
    void otherLinesAreNotEpochs() {
        assertThat(EpochMetrics.parse("epoch 1/2 ...")).isEmpty();
        assertThat(EpochMetrics.parse("epoch 1/2  loss 0.5  1.00 s")).isEmpty();
        assertThat(EpochMetrics.parse("epoch 1/2  speed 0.5  1.00 s  8 samples/s")).isEmpty();
        assertThat(EpochMetrics.parse("epoch 1/2  loss x  1.00 s  8 samples/s")).isEmpty();
        assertThat(EpochMetrics.parse("ringfold: error: epoch 1/2  loss 0.5  1.00 s  8 samples/s")).isEmpty();
    }
}
