package io.ringfold.cli;

import picocli.CommandLine.Command;

/**
 * {@code ringfold federated}: federated learning. The {@code coordinator} decides the model and its
 * hyperparameters (train's flags) and sends them to the clients, as a Flower server's strategy does; each
 * {@code client} names only its coordinator and its own data, which never leave it. {@code split} prepares a
 * non-IID split of a data set into one CSV file per client (docs/privacy.md, "Federated learning").
 */
@Command(name = "federated", mixinStandardHelpOptions = true,
        description = "Federated learning: a coordinator that aggregates, clients that train on data that never leave "
                + "them (docs/privacy.md).",
        subcommands = {FederatedCoordinatorCommand.class, FederatedClientCommand.class, FederatedSplitCommand.class})
final class FederatedCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "a federated command is required (coordinator, client, split)");
    }
}
