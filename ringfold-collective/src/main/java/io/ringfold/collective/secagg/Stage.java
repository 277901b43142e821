package io.ringfold.collective.secagg;

/** The rounds of the protocol, in order; the server is in one of them and takes only that round's messages. */
public enum Stage {
    /** Clients send {@link SecAggMessage.AdvertiseKeys}. */
    ADVERTISE_KEYS,
    /** Clients send {@link SecAggMessage.ShareKeys}. */
    SHARE_KEYS,
    /** Clients send {@link SecAggMessage.MaskedInput}. */
    MASKED_INPUT,
    /** Clients send {@link SecAggMessage.UnmaskResponse}. */
    UNMASKING,
    /** The sum is out; nothing more is taken. */
    DONE
}
