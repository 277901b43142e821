package io.ringfold.serving.http;

/**
 * A reply the connection's own handlers decided on (a request too slow to arrive, a body over the shared
 * budget), sent down the pipeline in place of a request so that {@link HttpRequestHandler} writes it in
 * order after the replies already owed; the connection then closes.
 */
record Refusal(HttpReply reply) {
}
