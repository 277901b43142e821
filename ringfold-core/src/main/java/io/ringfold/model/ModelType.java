package io.ringfold.model;

import java.util.Locale;

/**
 * The families of model Ringfold trains. All are stacks of dense layers: the linear ones are the
 * special case with no hidden layer, so one forward/backward implementation serves every family.
 */
public enum ModelType {
    /** Linear regression: no hidden layer, one identity output, MSE. */
    LINEAR,
    /** Binary logistic regression: no hidden layer, one sigmoid output, binary cross-entropy. */
    LOGISTIC,
    /** Multinomial (softmax) logistic regression: no hidden layer, K softmax outputs, cross-entropy. */
    SOFTMAX,
    /** Multilayer perceptron: hidden dense layers, output and loss by task (or given explicitly). */
    MLP;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ModelType parse(String s) {
        for (ModelType t : values()) {
            if (t.id().equalsIgnoreCase(s)) {
                return t;
            }
        }
        throw new IllegalArgumentException("model: " + s + " (expected: linear, logistic, softmax or mlp)");
    }
}
