package io.ringfold.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.ringfold.tensor.FloatMatrix;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Reads the real Fashion-MNIST files of Debian package dataset-fashion-mnist. Skipped where the package
 * is not installed, except under CI (environment CI=true), which installs it, so there its absence fails.
 */
class FashionMnistTest {

    @Test
    void readsTrainAndTestSets() {
        Path dir = Path.of(DataSpec.FASHION_MNIST_DIR);
        boolean present = Files.isDirectory(dir);
        if (!present && "true".equals(System.getenv("CI"))) {
            fail(dir + " missing under CI=true (expected: Debian package dataset-fashion-mnist installed)");
        }
        Assumptions.assumeTrue(present, dir + " missing: install Debian package dataset-fashion-mnist to run");

        DataSpec.LoadedData data = DataSpec.parse("fashion-mnist").load();
        Dataset train = data.train();
        Dataset test = data.test().orElseThrow();
        assertThat(train.size()).isEqualTo(60000);
        assertThat(train.numFeatures()).isEqualTo(784);
        assertThat(test.size()).isEqualTo(10000);
        assertThat(test.numFeatures()).isEqualTo(784);
        assertThat(train.numClasses()).isEqualTo(10);
        assertThat(train.schema().classNames()).hasSize(10).startsWith("T-shirt/top").endsWith("Ankle boot");
        // The published set is balanced: 6,000 training and 1,000 test images per class.
        int[] trainCounts = new int[10];
        for (float y : train.labels()) {
            trainCounts[(int) y]++;
        }
        int[] testCounts = new int[10];
        for (float y : test.labels()) {
            testCounts[(int) y]++;
        }
        assertThat(trainCounts).containsOnly(6000);
        assertThat(testCounts).containsOnly(1000);
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (float v : ((FloatMatrix) train.features()).data()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertThat(min).isZero();
        assertThat(max).isEqualTo(255f);
    }
}
