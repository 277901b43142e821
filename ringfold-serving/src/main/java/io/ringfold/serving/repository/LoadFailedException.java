package io.ringfold.serving.repository;

import io.ringfold.serving.core.Failure;
import io.ringfold.serving.core.ServingException;

/**
 * An explicit load (the repository API's {@code load}) that left no version of the model serving, or left one
 * version failed: the model's files are the operator's to fix, so it answers as bad input (HTTP 400, gRPC
 * INVALID_ARGUMENT), as Triton does.
 */
public final class LoadFailedException extends ServingException {

    private static final long serialVersionUID = 1L;

    public LoadFailedException(String message) {
        super(message);
    }

    @Override
    public Failure failure() {
        return Failure.BAD_INPUT;
    }
}
