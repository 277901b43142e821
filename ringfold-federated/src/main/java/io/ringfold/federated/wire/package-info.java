/**
 * The federated protocol's transport: length-prefixed messages (a JSON header and a binary body) over TCP, with
 * TLS when configured, every size checked against a limit before anything is allocated and every read bounded
 * by a deadline that names the peer waited for; and {@link io.ringfold.federated.wire.FederatedException}, the
 * failure every layer of a run reports (here, where peers' failures first show, so that no package above loops
 * back to the coordinator's).
 */
package io.ringfold.federated.wire;
