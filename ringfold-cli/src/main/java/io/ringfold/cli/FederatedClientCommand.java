package io.ringfold.cli;

import io.ringfold.collective.TcpEndpoint;
import io.ringfold.data.DataSpec;
import io.ringfold.data.Dataset;
import io.ringfold.federated.ClientOptions;
import io.ringfold.federated.FederatedClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code ringfold federated client}: trains on its own data each round the coordinator samples it. */
@Command(name = "client", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Join a federated run: train locally each round the coordinator samples this client and send "
                + "back only the update; the data never leave this process.",
                "The model and its hyperparameters come from the coordinator."})
final class FederatedClientCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--coordinator", required = true, paramLabel = "HOST:PORT", description = "The coordinator.")
    String coordinator;

    @Option(names = "--data", required = true, paramLabel = "SPEC", description = "This client's training data (the "
            + "data specs of train; numeric columns, no missing values). Only its training part is used.")
    String data;

    @Option(names = "--client-id", paramLabel = "ID", description = "This client's id, distinct among the run's "
            + "clients and the same when it reconnects (default: the host name).")
    String clientId;

    @Option(names = "--auth-token-file", paramLabel = "FILE", description = "The run's access token, read from FILE.")
    Path authTokenFile;

    @Option(names = "--tls-ca", paramLabel = "FILE", description = "Connect over TLS, trusting the PEM CA "
            + "certificate(s) in FILE; the coordinator's certificate must name the host connected to.")
    Path tlsCa;

    @Option(names = "--connect-timeout", paramLabel = "SECONDS", description = "How long to keep trying to connect, "
            + "at start and after losing the coordinator, e.g. while it restarts (default: 60).")
    int connectTimeout = 60;

    @Option(names = "--idle-timeout", paramLabel = "SECONDS", description = "How long to wait, connected, for the "
            + "coordinator's next message (default: 3600).")
    int idleTimeout = 3600;

    @Override
    public Integer call() throws Exception {
        PrintWriter w = spec.commandLine().getOut();
        InetSocketAddress at;
        try {
            at = TcpEndpoint.parse(coordinator);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--coordinator: " + e.getMessage());
        }
        if (connectTimeout <= 0 || idleTimeout <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), (connectTimeout <= 0
                    ? "--connect-timeout: " + connectTimeout : "--idle-timeout: " + idleTimeout) + " (expected: > 0 seconds)");
        }
        String id = clientId != null ? clientId : java.net.InetAddress.getLocalHost().getHostName();
        String token = authTokenFile == null ? null : JobsClientCommands.token(authTokenFile);
        ClientOptions options;
        try {
            options = new ClientOptions(at.getHostString(), at.getPort(), id, token, Duration.ofSeconds(connectTimeout),
                    Duration.ofSeconds(idleTimeout));
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--client-id: " + id
                    + " (expected: 1 to 64 letters, digits, '.', '_', '-')");
        }
        DataSpec dataSpec = DataSpec.parse(data);
        Dataset train = dataSpec.load().train();
        w.println("data: " + dataSpec.describe() + ", " + train.size() + " rows, " + train.numFeatures()
                + " features (stay here)");
        FederatedClient client = new FederatedClient(options, train, FederatedTls.clientSockets(tlsCa), line -> {
            w.println(line);
            w.flush();
        });
        client.run();
        return 0;
    }
}
