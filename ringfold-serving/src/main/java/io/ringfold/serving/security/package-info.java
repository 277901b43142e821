/**
 * Who may talk to the server and how the bytes travel: the bearer token read from a file
 * ({@link io.ringfold.serving.security.BearerToken}, RFC 6750) and TLS from PEM files
 * ({@link io.ringfold.serving.security.PemTls}). Independent of the HTTP handlers, so the gRPC port can use
 * the same checks; everything here fails at start-up, naming the file, rather than at the first request.
 */
package io.ringfold.serving.security;
