package io.ringfold.federated;

import io.ringfold.data.Dataset;
import io.ringfold.random.SplitMix64;
import io.ringfold.tensor.Matrix;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A label-skewed (non-IID) split for trying federated training on one machine: client {@code c} holds exactly the
 * {@code labelsPerClient} labels {@code perm[(c * L + j) mod K]}, j &lt; L (K classes, {@code perm} a seeded
 * permutation of them), and each label's rows, in a seeded random order, are cut into equal parts among the
 * clients that hold it. With {@code clients * L >= K} every row goes to exactly one client; otherwise the labels no
 * client holds are left out. Writes each client's part as a CSV file for its {@code --data csv:PATH?label=label}.
 */
public final class NonIidSplit {

    private static final long PURPOSE = 0x4e4f4e494944L;

    private NonIidSplit() {
    }

    /** The rows of each client, each in ascending order; {@code labels} are class indices. */
    public static List<int[]> rows(float[] labels, int clients, int labelsPerClient, long seed) {
        int classes = 0;
        for (float y : labels) {
            if (!(y >= 0 && y == Math.rint(y))) {
                throw new IllegalArgumentException("label " + y + " (expected: class indices 0, 1, ...)");
            }
            classes = Math.max(classes, (int) y + 1);
        }
        if (clients <= 0 || labelsPerClient <= 0 || labelsPerClient > classes) {
            throw new IllegalArgumentException("clients: " + clients + ", labelsPerClient: " + labelsPerClient
                    + " (expected: clients > 0 and 1.." + classes + " labels per client)");
        }
        int[] perm = SplitMix64.derive(seed, PURPOSE, 0).permutation(classes);
        List<List<Integer>> holders = new ArrayList<>();
        for (int k = 0; k < classes; k++) {
            holders.add(new ArrayList<>());
        }
        for (int c = 0; c < clients; c++) {
            for (int j = 0; j < labelsPerClient; j++) {
                holders.get(perm[(c * labelsPerClient + j) % classes]).add(c);
            }
        }
        List<List<Integer>> parts = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            parts.add(new ArrayList<>());
        }
        for (int k = 0; k < classes; k++) {
            List<Integer> rowsOfK = new ArrayList<>();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == k) {
                    rowsOfK.add(i);
                }
            }
            int[] order = SplitMix64.derive(seed, PURPOSE, 1 + k).permutation(rowsOfK.size());
            List<Integer> h = holders.get(k);
            for (int p = 0; p < h.size(); p++) {
                long from = (long) p * order.length / h.size();
                long to = (long) (p + 1) * order.length / h.size();
                for (long i = from; i < to; i++) {
                    parts.get(h.get(p)).add(rowsOfK.get(order[(int) i]));
                }
            }
        }
        List<int[]> out = new ArrayList<>();
        for (List<Integer> p : parts) {
            out.add(p.stream().mapToInt(Integer::intValue).sorted().toArray());
        }
        return out;
    }

    /**
     * Writes {@code data}'s rows for each client to {@code dir/client-<i>.csv} (i from 0), a header of the feature
     * names and {@code label}, values as Java prints floats (they read back to the same bits); returns the files.
     */
    public static List<Path> writeCsv(Dataset data, List<int[]> parts, Path dir) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        Matrix x = data.features();
        float[] y = data.labels();
        String header = String.join(",", data.schema().featureNames()) + ",label\n";
        for (int c = 0; c < parts.size(); c++) {
            Path file = dir.resolve("client-" + c + ".csv");
            try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
                w.write(header);
                StringBuilder line = new StringBuilder();
                for (int r : parts.get(c)) {
                    line.setLength(0);
                    for (int j = 0; j < x.cols(); j++) {
                        line.append(x.get(r, j)).append(',');
                    }
                    line.append((int) y[r]).append('\n');
                    w.write(line.toString());
                }
            }
            files.add(file);
        }
        return files;
    }
}
