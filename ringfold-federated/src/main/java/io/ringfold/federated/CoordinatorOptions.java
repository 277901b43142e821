package io.ringfold.federated;

import io.ringfold.data.Dataset;
import io.ringfold.federated.privacy.ClientDpPlan;
import io.ringfold.federated.privacy.ClientDpSettings;
import io.ringfold.train.TrainingConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * How a coordinator runs: the model's configuration (sent to every client; its seed seeds the initial parameters
 * and the sampling), the rounds, how many clients each round samples and how many must report for it to count,
 * local epochs, the aggregation, the deadlines, where checkpoints go and an optional test set of its own.
 *
 * @param config          the hyperparameters of the model and of local training (its {@code epochs} unused)
 * @param classes         the number of classes of a classifier; 0 to take it from the clients' class names
 * @param rounds          rounds to run, at least 1
 * @param clientsPerRound clients sampled each round (K); at most the connected ones
 * @param minClients      updates a round needs to be applied, 1..K; not used with {@code clientDp}, whose rounds
 *                        apply the noised mean of whichever sampled clients reported
 * @param minAvailable    clients a round waits (up to {@code joinTimeout}) to be connected before it samples, at
 *                        least K; with every client of the run connected the sample is reproducible
 * @param localEpochs     epochs each sampled client trains on its data per round
 * @param aggregation     FedAvg or FedProx
 * @param proximalMu      FedProx's mu (0 for FedAvg)
 * @param roundTimeout    how long a round waits for the sampled clients' updates
 * @param joinTimeout     how long a round waits for {@code minAvailable} clients to be connected
 * @param checkpointDir   where the checkpoint of every finished round is written
 * @param resume          continue from the checkpoint in {@code checkpointDir} when there is one
 * @param test            the coordinator's own test set, evaluated after every round; null for none
 * @param secure          secure aggregation (Bonawitz et al., 2017): the coordinator learns only each round's sum
 * @param clientDp        client-level differential privacy ({@link ClientDpPlan}); null for none
 */
public record CoordinatorOptions(TrainingConfig config, int classes, int rounds, int clientsPerRound, int minClients,
                                 int minAvailable, int localEpochs, Aggregation aggregation, float proximalMu, Duration roundTimeout,
                                 Duration joinTimeout, Path checkpointDir, boolean resume, Dataset test, boolean secure,
                                 ClientDpSettings clientDp) {

    public CoordinatorOptions {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(aggregation, "aggregation");
        Objects.requireNonNull(checkpointDir, "checkpointDir");
        require(classes >= 0, "classes", classes, ">= 0");
        require(rounds > 0, "rounds", rounds, "> 0");
        require(clientsPerRound > 0, "clientsPerRound", clientsPerRound, "> 0");
        require(minClients > 0 && minClients <= clientsPerRound, "minClients", minClients,
                "1.." + clientsPerRound + " (clientsPerRound)");
        require(minAvailable >= clientsPerRound, "minAvailable", minAvailable, ">= clientsPerRound " + clientsPerRound);
        require(localEpochs > 0, "localEpochs", localEpochs, "> 0");
        require(Float.isFinite(proximalMu) && proximalMu >= 0, "proximalMu", proximalMu, ">= 0 and finite");
        require(aggregation != Aggregation.FEDPROX || proximalMu > 0, "proximalMu", proximalMu, "> 0 with fedprox");
        require(aggregation != Aggregation.FEDAVG || proximalMu == 0, "proximalMu", proximalMu,
                "0 with fedavg (the proximal term is FedProx's)");
        require(!roundTimeout.isNegative() && !roundTimeout.isZero(), "roundTimeout", roundTimeout, "> 0");
        require(!joinTimeout.isNegative() && !joinTimeout.isZero(), "joinTimeout", joinTimeout, "> 0");
        require(!secure || clientsPerRound >= 2, "clientsPerRound", clientsPerRound,
                ">= 2 with secure aggregation (a sum of one client is its update)");
        require(!config.solver().fullBatchFor(config.model()), "solver", config.solver().id(),
                "mini-batches (--solver sgd or adam for model " + config.model().id() + "): clients take local steps");
        if (clientDp != null) {
            ClientDpPlan.of(clientDp, clientsPerRound, minAvailable, rounds);
        }
    }

    /** Options of a run without client-level differential privacy. */
    public CoordinatorOptions(TrainingConfig config, int classes, int rounds, int clientsPerRound, int minClients,
                              int minAvailable, int localEpochs, Aggregation aggregation, float proximalMu,
                              Duration roundTimeout, Duration joinTimeout, Path checkpointDir, boolean resume, Dataset test,
                              boolean secure) {
        this(config, classes, rounds, clientsPerRound, minClients, minAvailable, localEpochs, aggregation, proximalMu,
                roundTimeout, joinTimeout, checkpointDir, resume, test, secure, null);
    }

    /**
     * The plan of {@link #clientDp} for this run (the population is {@code minAvailable}, the expected clients per
     * round K), or null for a run without it.
     */
    public ClientDpPlan clientDpPlan() {
        return clientDp == null ? null : ClientDpPlan.of(clientDp, clientsPerRound, minAvailable, rounds);
    }

    private static void require(boolean ok, String name, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
        }
    }
}
