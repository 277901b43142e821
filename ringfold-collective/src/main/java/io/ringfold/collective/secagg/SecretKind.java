package io.ringfold.collective.secagg;

/** The labels of the two secrets each client shares, as they enter the share commitments. */
final class SecretKind {

    static final String SELF_MASK = "self mask";
    static final String MASK_KEY = "mask key";

    private SecretKind() {
    }
}
