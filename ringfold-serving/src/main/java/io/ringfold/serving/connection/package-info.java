/**
 * What one network peer may hold of the server: the connection, time and memory limits that both front
 * ends (HTTP and gRPC) apply, declared once in {@link io.ringfold.serving.connection.ConnectionLimits}, and
 * the counter that refuses connections beyond the limit.
 */
package io.ringfold.serving.connection;
