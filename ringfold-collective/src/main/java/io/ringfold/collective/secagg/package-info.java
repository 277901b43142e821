/**
 * Secure aggregation (Bonawitz et al., "Practical Secure Aggregation for Privacy-Preserving Machine
 * Learning", CCS 2017): clients mask their int64 updates with pairwise and self masks whose seeds are
 * Shamir-shared among them, so that a server learns only the sum, exactly, even when clients drop out.
 * Transport-agnostic: {@link io.ringfold.collective.secagg.SecAggClient} and
 * {@link io.ringfold.collective.secagg.SecAggServer} are state machines that take and return
 * {@link io.ringfold.collective.secagg.SecAggMessage} values (bytes through
 * {@link io.ringfold.collective.secagg.SecAggCodec}), for a federated coordinator to carry over its own
 * connections; beside them the fixed-point encoding of float updates and client-level clipping and noise.
 * Only the JDK's cryptography: X25519, HKDF over HMAC-SHA256, AES-GCM, AES-CTR. docs/privacy.md gives the
 * threat model.
 */
package io.ringfold.collective.secagg;
