package io.ringfold.onnx;

/** A model, or a part of one, that ONNX export cannot write; the message names the part and why. */
public final class UnsupportedModelException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public UnsupportedModelException(String message) {
        super(message);
    }
}
