/**
 * The round's aggregate as an exact integer sum ({@link io.ringfold.federated.exact.ExactSum}): what the plain
 * coordinator, secure aggregation and client-level privacy all add, so that the three give the same bits. Below
 * the coordinator and the privacy package, which both use it.
 */
package io.ringfold.federated.exact;
