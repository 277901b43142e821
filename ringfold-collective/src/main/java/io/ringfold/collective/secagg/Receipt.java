package io.ringfold.collective.secagg;

/**
 * The server's answer to one client message: accepted, or refused with a one-line reason. A refused message
 * from an invited client excludes that client from the rest of the aggregation; a message naming a client
 * that is not invited is refused and excludes nobody.
 */
public record Receipt(int client, boolean accepted, String reason) {

    static Receipt accept(int client) {
        return new Receipt(client, true, "");
    }

    static Receipt refuse(int client, String reason) {
        return new Receipt(client, false, reason);
    }
}
