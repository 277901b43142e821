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
import java.util.Arrays;
import java.util.List;

/**
 * The pathological non-IID split of McMahan et al. (2017): the rows sorted by label (ties in a seeded random
 * order) are cut into {@code clients * shardsPerClient} equal shards, and each client gets {@code shardsPerClient}
 * shards drawn by a seeded permutation, so that it holds few labels (at most {@code shardsPerClient}, usually
 * exactly that many). Every row goes to exactly one client. Writes each client's part as a CSV file for its
 * {@code --data csv:PATH?label=label}.
 */
public final class NonIidSplit {

    private static final long PURPOSE = 0x4e4f4e494944L;

    private NonIidSplit() {
    }

    /** The rows of each client, each list in ascending row order. */
    public static List<int[]> rows(float[] labels, int clients, int shardsPerClient, long seed) {
        if (clients <= 0 || shardsPerClient <= 0) {
            throw new IllegalArgumentException("clients: " + clients + ", shardsPerClient: " + shardsPerClient
                    + " (expected: both > 0)");
        }
        int shards = clients * shardsPerClient;
        if (labels.length < shards) {
            throw new IllegalArgumentException("rows: " + labels.length + " (expected: at least clients x shards per "
                    + "client, " + shards + ")");
        }
        int n = labels.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplitMix64.derive(seed, PURPOSE, 0).shuffle(order, n);
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) {
            boxed[i] = order[i];
        }
        // A stable sort by label keeps the shuffled order within a label.
        Arrays.sort(boxed, (a, b) -> Float.compare(labels[a], labels[b]));
        int[] shardOrder = new int[shards];
        for (int i = 0; i < shards; i++) {
            shardOrder[i] = i;
        }
        SplitMix64.derive(seed, PURPOSE, 1).shuffle(shardOrder, shards);
        List<int[]> out = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            List<Integer> rows = new ArrayList<>();
            for (int k = 0; k < shardsPerClient; k++) {
                int s = shardOrder[c * shardsPerClient + k];
                long from = (long) s * n / shards;
                long to = (long) (s + 1) * n / shards;
                for (long i = from; i < to; i++) {
                    rows.add(boxed[(int) i]);
                }
            }
            out.add(rows.stream().mapToInt(Integer::intValue).sorted().toArray());
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
