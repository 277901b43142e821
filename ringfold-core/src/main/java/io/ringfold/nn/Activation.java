package io.ringfold.nn;

import io.ringfold.tensor.Kernels;

import java.util.Locale;

/** Element-wise activation of a hidden layer, with its derivative expressed through the activated value. */
public enum Activation {
    RELU, TANH, SIGMOID, IDENTITY;

    public void apply(float[] x, int n) {
        switch (this) {
            case RELU -> Kernels.relu(x, n);
            case TANH -> Kernels.tanh(x, n);
            case SIGMOID -> Kernels.sigmoid(x, n);
            case IDENTITY -> { }
        }
    }

    /** {@code grad *= f'(z)} where {@code activated = f(z)}. */
    public void backward(float[] activated, float[] grad, int n) {
        switch (this) {
            case RELU -> Kernels.reluBackward(activated, grad, n);
            case TANH -> Kernels.tanhBackward(activated, grad, n);
            case SIGMOID -> Kernels.sigmoidBackward(activated, grad, n);
            case IDENTITY -> { }
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Activation parse(String s) {
        for (Activation a : values()) {
            if (a.id().equalsIgnoreCase(s)) {
                return a;
            }
        }
        throw new IllegalArgumentException("activation: " + s + " (expected: relu, tanh, sigmoid or identity)");
    }
}
