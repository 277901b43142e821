package io.ringfold.spark;

import io.ringfold.random.SplitMix64;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small CSV data set (header a,b,c,d,label; 3 classes unless told). Every value is a multiple of 1/64 printed
 * exactly, so Spark's parse to double then float32 and Ringfold's parse to float32 give the same bits.
 */
final class TestData {

    private TestData() {
    }

    static Path writeCsv(Path dir, int rows, long seed) throws IOException {
        return writeCsv(dir, "data.csv", rows, seed, 3, false);
    }

    /**
     * {@code classes} classes; with {@code weights} a last column w of row weights (multiples of 1/4 in
     * [0.25, 2], from a generator of their own, so the other columns are those of the file without them).
     */
    static Path writeCsv(Path dir, String name, int rows, long seed, int classes, boolean weights) throws IOException {
        SplitMix64 rng = new SplitMix64(seed);
        SplitMix64 weightRng = new SplitMix64(seed + 1);
        StringBuilder sb = new StringBuilder(weights ? "a,b,c,d,label,w\n" : "a,b,c,d,label\n");
        for (int i = 0; i < rows; i++) {
            int c = rng.nextInt(classes);
            for (int j = 0; j < 4; j++) {
                double v = Math.rint((c * (j % 2 == 0 ? 1.0 : -0.7) + rng.nextGaussian()) * 64) / 64;
                sb.append(BigDecimal.valueOf(v).toPlainString()).append(',');
            }
            sb.append(c);
            if (weights) {
                sb.append(',').append(BigDecimal.valueOf(0.25 * (1 + weightRng.nextInt(8))).toPlainString());
            }
            sb.append('\n');
        }
        Path file = dir.resolve(name);
        Files.writeString(file, sb);
        return file;
    }
}
