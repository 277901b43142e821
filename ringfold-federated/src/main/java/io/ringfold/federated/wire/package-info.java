/**
 * The federated protocol's transport: length-prefixed messages (a JSON header and a binary body) over TCP, with
 * TLS when configured, every size checked against a limit before anything is allocated and every read bounded
 * by a deadline that names the peer waited for.
 */
package io.ringfold.federated.wire;
