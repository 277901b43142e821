package io.ringfold.spark;

import io.ringfold.random.SplitMix64;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small 3-class CSV data set (header a,b,c,d,label). Every value is a multiple of 1/64 printed
 * exactly, so Spark's parse to double then float32 and Ringfold's parse to float32 give the same bits.
 */
final class TestData {

    private TestData() {
    }

    static Path writeCsv(Path dir, int rows, long seed) throws IOException {
        SplitMix64 rng = new SplitMix64(seed);
        StringBuilder sb = new StringBuilder("a,b,c,d,label\n");
        for (int i = 0; i < rows; i++) {
            int c = rng.nextInt(3);
            for (int j = 0; j < 4; j++) {
                double v = Math.rint((c * (j % 2 == 0 ? 1.0 : -0.7) + rng.nextGaussian()) * 64) / 64;
                sb.append(BigDecimal.valueOf(v).toPlainString()).append(',');
            }
            sb.append(c).append('\n');
        }
        Path file = dir.resolve("data.csv");
        Files.writeString(file, sb);
        return file;
    }
}
