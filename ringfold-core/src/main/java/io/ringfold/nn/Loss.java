package io.ringfold.nn;

import java.util.Locale;

/**
 * Training loss; it fixes the output layer's activation, so that the loss is always computed from the
 * raw output (logits) in a numerically stable form and its gradient is the simple
 * {@code prediction - target}.
 * <ul>
 *   <li>{@code MSE}: identity output; loss {@code mean((y - t)²)} over samples (PyTorch's MSELoss).</li>
 *   <li>{@code BINARY_CROSS_ENTROPY}: one sigmoid output = P(class 1); loss {@code softplus(z) - t z}.</li>
 *   <li>{@code CROSS_ENTROPY}: softmax over K outputs; loss {@code logsumexp(z) - z_t}.</li>
 * </ul>
 */
public enum Loss {
    MSE, BINARY_CROSS_ENTROPY, CROSS_ENTROPY;

    public boolean isClassification() {
        return this != MSE;
    }

    public String id() {
        return switch (this) {
            case MSE -> "mse";
            case BINARY_CROSS_ENTROPY -> "binary-cross-entropy";
            case CROSS_ENTROPY -> "cross-entropy";
        };
    }

    public static Loss parse(String s) {
        String v = s.toLowerCase(Locale.ROOT);
        return switch (v) {
            case "mse" -> MSE;
            case "binary-cross-entropy", "bce" -> BINARY_CROSS_ENTROPY;
            case "cross-entropy", "ce" -> CROSS_ENTROPY;
            default -> throw new IllegalArgumentException("loss: " + s
                    + " (expected: mse, binary-cross-entropy or cross-entropy)");
        };
    }
}
