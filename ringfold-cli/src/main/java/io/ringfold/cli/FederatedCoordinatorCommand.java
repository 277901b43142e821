package io.ringfold.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.data.DataSpec;
import io.ringfold.data.Dataset;
import io.ringfold.federated.Aggregation;
import io.ringfold.federated.Coordinator;
import io.ringfold.federated.CoordinatorOptions;
import io.ringfold.federated.RoundRecord;
import io.ringfold.model.ModelCodec;
import io.ringfold.serving.security.BearerToken;
import io.ringfold.tensor.Blas;
import io.ringfold.train.TrainingConfig;
import io.ringfold.train.TrainingRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * {@code ringfold federated coordinator}: runs the rounds and writes the final model as a normal model directory.
 * The model and its hyperparameters are train's flags, declared once (HyperparameterFlags), and go to the clients.
 */
@Command(name = "coordinator", mixinStandardHelpOptions = true, sortOptions = false,
        modelTransformer = HyperparameterFlags.class,
        description = {"Coordinate federated training: each round sample K connected clients, send them the global "
                + "model, aggregate their updates (FedAvg or FedProx, exact), checkpoint; write the model to --out DIR.",
                "The model flags are train's (--model, --hidden, --layers, --lr, --optimizer, --seed, ...); clients get "
                        + "them from here. As train does, features are standardised by default: before round 1 the "
                        + "clients send the exact per-feature count, sum and sum of squares of their rows (with "
                        + "--secure-aggregation only the totals are seen here), and the model stores the standardisation "
                        + "(--no-standardize: none)."})
final class FederatedCoordinatorCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "Port to listen on (0: any free one, "
            + "printed).")
    int port;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to listen on (default: 0.0.0.0, every "
            + "interface).")
    String host = "0.0.0.0";

    @Option(names = "--rounds", required = true, paramLabel = "R", description = "Rounds to run.")
    int rounds;

    @Option(names = "--clients-per-round", required = true, paramLabel = "K", description = "Clients sampled each round "
            + "(seeded by --seed and the round).")
    int clientsPerRound;

    @Option(names = "--min-clients", paramLabel = "N", description = "Updates a round needs to be applied; fewer "
            + "ends the run, which --resume continues (default: K).")
    Integer minClients;

    @Option(names = "--min-available-clients", paramLabel = "N", description = "Clients a round waits for (up to "
            + "--join-timeout) before sampling; with all the run's clients the sample is reproducible (default: K).")
    Integer minAvailable;

    @Option(names = "--local-epochs", paramLabel = "E", description = "Epochs each sampled client trains per round "
            + "(default: 1).")
    int localEpochs = 1;

    @Option(names = "--aggregation", paramLabel = "NAME", description = "fedavg (default) or fedprox.")
    String aggregation = "fedavg";

    @Option(names = "--proximal-mu", paramLabel = "MU", description = "FedProx's proximal weight (default: 0.01 with "
            + "fedprox).")
    Float proximalMu;

    @Option(names = "--classes", paramLabel = "N", description = "Classes of a classifier (default: the number of "
            + "class names the clients' data carry; needed for data with numeric labels).")
    int classes;

    @Option(names = "--test", paramLabel = "SPEC", description = "The coordinator's own test data, evaluated after "
            + "every round: the data set's test part when it has one, else all its rows (the clients' data are never "
            + "seen here).")
    String test;

    // The hyperparameter flags (--model, --hidden, --layers, --lr, --seed, ...) come from their declarations:
    // HyperparameterFlags adds them here.

    @Option(names = "--architecture", paramLabel = "FILE", description = "A JSON file with the network's layers, "
            + "as for train.")
    Path architecture;

    @Option(names = "--round-timeout", paramLabel = "SECONDS", description = "How long a round waits for the sampled "
            + "clients' updates; late clients are excluded (default: 600).")
    int roundTimeout = 600;

    @Option(names = "--join-timeout", paramLabel = "SECONDS", description = "How long a round waits for "
            + "--min-available-clients to be connected (default: 600).")
    int joinTimeout = 600;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Where every finished round is checkpointed "
            + "(default: DIR/checkpoint of --out).")
    Path checkpointDir;

    @Option(names = "--resume", description = "Continue from the checkpoint's last finished round, if there is one.")
    boolean resume;

    @Option(names = "--secure-aggregation", description = "Secure aggregation (Bonawitz et al., 2017): clients mask "
            + "their updates so that this coordinator learns only each round's sum; the same parameters, bit for bit. "
            + "A round then needs more than half of its sampled clients to finish.")
    boolean secureAggregation;

    @picocli.CommandLine.Mixin
    ClientDpFlags clientDp;

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "Listen over TLS with this PEM certificate chain "
            + "(with --tls-key), as serve does.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "Unencrypted PKCS#8 PEM private key of --tls-cert.")
    Path tlsKey;

    @Option(names = "--auth-token-file", paramLabel = "FILE", description = "Admit only clients presenting the token in "
            + "FILE.")
    Path authTokenFile;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Model directory to write.")
    Path out;

    @Option(names = "--json", description = "Print one JSON object with the results as the last line.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        java.time.Instant started = java.time.Instant.now();
        long t0 = System.nanoTime();
        PrintWriter w = spec.commandLine().getOut();
        CoordinatorOptions options = options();
        Predicate<String> tokenCheck = tokenCheck();
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), tlsCert == null
                    ? "--tls-key: given without --tls-cert (expected: both or neither)"
                    : "--tls-cert: given without --tls-key (expected: both or neither)");
        }
        w.println(options.config().standardize() ? "preprocessing: standardisation from the clients' per-feature totals "
                + "(a statistics round before round 1; --no-standardize: none)" : "preprocessing: none (--no-standardize)");
        if (authTokenFile == null) {
            w.println("warning: no --auth-token-file: any client that reaches port " + port + " can join");
        }
        w.flush();
        ServerSocket server = FederatedTls.listen(host, port, tlsCert, tlsKey);
        Coordinator.Result r = new Coordinator(options, server, tokenCheck, line -> {
            w.println(line);
            w.flush();
        }).run();
        ObjectNode evaluation = options.test() == null ? JsonNodeFactory.instance.objectNode()
                : TrainingRun.evaluate(r.model(), Blas.get(), options.test());
        Path file = ModelCodec.save(r.model(), out, evaluation);
        ObjectNode result = summary(options, r, file, evaluation);
        Files.writeString(out.resolve("federated.json"), result.toPrettyString());
        String id = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(started) + "-" + r.model().parameterDigest().substring(0, 8);
        result.put("run_id", id);
        new io.ringfold.runs.FileRunStore(out).save(new io.ringfold.runs.RunRecord(id, started.toString(),
                (System.nanoTime() - t0) / 1e9, spec.commandLine().getParseResult().originalArgs(), result, List.of(), out));
        w.println(json ? result.toString() : "model: " + file + ", parameter_digest " + r.model().parameterDigest()
                + (evaluation.has("accuracy") ? ", test accuracy " + evaluation.get("accuracy").asDouble() : ""));
        return 0;
    }

    private static ObjectNode summary(CoordinatorOptions o, Coordinator.Result r, Path file, ObjectNode evaluation) {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("rounds", o.rounds());
        n.put("clients_per_round", o.clientsPerRound());
        n.put("clients", r.clientsSeen());
        n.put("aggregation", o.aggregation().id());
        n.put("proximal_mu", o.proximalMu());
        n.put("local_epochs", o.localEpochs());
        n.put("seed", o.config().seed());
        n.put("secure_aggregation", o.secure());
        if (evaluation.has("accuracy")) {
            n.put("test_accuracy", evaluation.get("accuracy").asDouble());
        }
        n.put("model_path", file.toString());
        n.put("parameter_digest", r.model().parameterDigest());
        ClientDpFlags.report(n, r.model());
        r.rounds().forEach(rr -> n.withArray("round_log").add(rr.toJson()));
        return n;
    }

    private CoordinatorOptions options() {
        for (String flag : List.of("--epochs", "--validation-split", "--patience", "--test-split")) {
            if (spec.commandLine().getParseResult().hasMatchedOption(flag)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), flag + ": not used by federated "
                        + "training (expected: --rounds and --local-epochs; clients train on all their rows, and "
                        + "--test names the coordinator's test data)");
            }
        }
        TrainingConfig config = HyperparameterFlags.config(spec, architecture);
        Aggregation a;
        try {
            a = Aggregation.parse(aggregation);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        float mu = proximalMu != null ? proximalMu : a == Aggregation.FEDPROX ? 0.01f : 0f;
        // A data set's own test part when it has one (fashion-mnist's t10k files), else all of its rows.
        DataSpec.LoadedData testLoaded = test == null ? null : DataSpec.parse(test).load();
        Dataset testData = testLoaded == null ? null : testLoaded.test().orElseGet(testLoaded::train);
        io.ringfold.federated.privacy.ClientDpSettings dp = clientDp.settings(spec);
        if (dp != null && minClients != null) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--min-clients: " + minClients
                    + " with --client-dp-clip (expected: none; a private round applies the noised mean of whichever "
                    + "sampled clients report, as the accountant assumes)");
        }
        try {
            return new CoordinatorOptions(config, classes, rounds, clientsPerRound,
                    minClients == null ? clientsPerRound : minClients, minAvailable == null ? clientsPerRound : minAvailable,
                    localEpochs, a, mu, Duration.ofSeconds(roundTimeout), Duration.ofSeconds(joinTimeout),
                    checkpointDir == null ? out.resolve("checkpoint") : checkpointDir, resume, testData, secureAggregation,
                    dp);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), flag(ClientDpFlags.flag(e.getMessage())));
        }
    }

    /** {@code minClients: 0 (...)} as {@code --min-clients: 0 (...)}: the option's field named as its flag. */
    private static String flag(String message) {
        String[][] names = {{"classes", "--classes"}, {"rounds", "--rounds"}, {"clientsPerRound", "--clients-per-round"},
                {"minClients", "--min-clients"}, {"minAvailable", "--min-available-clients"},
                {"localEpochs", "--local-epochs"}, {"proximalMu", "--proximal-mu"}, {"roundTimeout", "--round-timeout"},
                {"joinTimeout", "--join-timeout"}, {"solver", "--solver"}};
        for (String[] n : names) {
            if (message.startsWith(n[0] + ":")) {
                return n[1] + message.substring(n[0].length());
            }
        }
        return message;
    }

    private Predicate<String> tokenCheck() throws java.io.IOException {
        if (authTokenFile == null) {
            return t -> true;
        }
        BearerToken token = BearerToken.of(JobsClientCommands.token(authTokenFile));
        return t -> token.check(List.of("Bearer " + t)) == BearerToken.Decision.ALLOWED;
    }
}
