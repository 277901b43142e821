/**
 * Federated learning: a {@link io.ringfold.federated.Coordinator} that samples clients each round, sends them the
 * global parameters and aggregates their updates exactly (FedAvg weighted by examples, or FedProx), and
 * {@link io.ringfold.federated.FederatedClient}s that train locally on data that never leave them. The aggregate
 * is an int64 fixed-point sum, so it does not depend on the order in which updates arrive, and it is the sum that
 * secure aggregation computes under masks. Before round 1 a statistics round sums the clients' exact per-feature
 * moments the same way ({@link io.ringfold.federated.StatisticsRound}) to standardise the features as train does.
 */
package io.ringfold.federated;
