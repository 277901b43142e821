package io.ringfold.cli;

import io.ringfold.data.DataSpec;
import io.ringfold.data.Dataset;
import io.ringfold.federated.NonIidSplit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code ringfold federated split}: a data set's training part cut into one CSV file per client, each holding few
 * labels ({@link NonIidSplit}), to try federated training on one machine.
 */
@Command(name = "split", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Split a data set's training rows over N clients, non-IID: each client holds exactly L labels "
                + "(a seeded choice), each label's rows shared equally by the clients holding it; writes DIR/client-<i>.csv,",
                "for 'ringfold federated client --data csv:DIR/client-<i>.csv?label=label'."})
final class FederatedSplitCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "SPEC", description = "The data set to split.")
    String data;

    @Option(names = "--clients", required = true, paramLabel = "N", description = "Number of clients.")
    int clients;

    @Option(names = "--labels-per-client", paramLabel = "L", description = "Labels each client holds (default: 2).")
    int labelsPerClient = 2;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the split (default: 42).")
    long seed = 42;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the CSV files.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (clients <= 0 || labelsPerClient <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), (clients <= 0 ? "--clients: " + clients
                    : "--labels-per-client: " + labelsPerClient) + " (expected: > 0)");
        }
        PrintWriter w = spec.commandLine().getOut();
        Dataset d = DataSpec.parse(data).load().train();
        List<int[]> parts = NonIidSplit.rows(d.labels(), clients, labelsPerClient, seed);
        List<Path> files = NonIidSplit.writeCsv(d, parts, out);
        for (int c = 0; c < files.size(); c++) {
            TreeSet<Integer> labels = new TreeSet<>();
            for (int r : parts.get(c)) {
                labels.add((int) d.label(r));
            }
            w.println(files.get(c) + ": " + parts.get(c).length + " rows, labels " + labels);
        }
        long kept = parts.stream().mapToLong(p -> p.length).sum();
        w.println("split " + kept + " of " + d.size() + " rows of " + data + " over " + clients + " clients (seed " + seed
                + ")" + (kept < d.size() ? "; the rest have labels no client holds (expected: clients x labels per "
                + "client >= classes to use them all)" : ""));
        return 0;
    }
}
