/**
 * Client-level differential privacy for federated rounds (DP-FedAvg, McMahan et al., ICLR 2018): the flags
 * ({@link io.ringfold.federated.privacy.ClientDpSettings}), the plan they resolve to with its accountant
 * ({@link io.ringfold.federated.privacy.ClientDpPlan}, ε from {@code io.ringfold.privacy.RdpAccountant}), and
 * what a round does ({@link io.ringfold.federated.privacy.ClientLevelPrivacy}: Poisson sampling of clients, each
 * update clipped and noised, the fixed denominator). Kept apart from the coordinator so that a run without it is
 * the plain FedAvg it was; docs/privacy.md, "Client-level differential privacy", states the guarantee.
 */
package io.ringfold.federated.privacy;
