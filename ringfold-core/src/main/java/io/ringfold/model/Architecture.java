package io.ringfold.model;

import io.ringfold.nn.Activation;
import io.ringfold.nn.LayerKind;
import io.ringfold.nn.LayerSpec;
import io.ringfold.nn.Loss;
import io.ringfold.nn.Network;
import io.ringfold.nn.Shape;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Shape of a dense network: {@code inputs -> hidden[0] -> ... -> outputs}, the hidden activation and
 * the loss (which fixes the output activation). Parameters live in one flat {@code float[]}: for each
 * layer its weights (fan-in × fan-out, row-major, so a forward pass is {@code X · W}) then its biases.
 * A flat vector is what optimizers and AllReduce want: one loop, one buffer.
 */
public record Architecture(ModelType type, int inputs, int[] hidden, Activation activation, int outputs, Loss loss) {

    public Architecture {
        if (inputs <= 0) {
            throw new IllegalArgumentException("inputs: " + inputs + " (expected: > 0)");
        }
        if (outputs <= 0) {
            throw new IllegalArgumentException("outputs: " + outputs + " (expected: > 0)");
        }
        hidden = hidden.clone();
        for (int i = 0; i < hidden.length; i++) {
            if (hidden[i] <= 0) {
                throw new IllegalArgumentException("hidden[" + i + "]: " + hidden[i] + " (expected: > 0)");
            }
        }
        if (type != ModelType.MLP && hidden.length > 0) {
            throw new IllegalArgumentException("hidden: " + Arrays.toString(hidden) + " (expected: none for model "
                    + type.id() + "; use mlp for hidden layers)");
        }
        if (loss == Loss.BINARY_CROSS_ENTROPY && outputs != 1) {
            throw new IllegalArgumentException("outputs: " + outputs + " (expected: 1 for binary cross-entropy)");
        }
        if (loss == Loss.CROSS_ENTROPY && outputs < 2) {
            throw new IllegalArgumentException("outputs: " + outputs + " (expected: >= 2 classes for cross-entropy)");
        }
        long count = 0;
        int fanIn = inputs;
        for (int i = 0; i <= hidden.length; i++) {
            int fanOut = i < hidden.length ? hidden[i] : outputs;
            count += (long) fanIn * fanOut + fanOut;
            fanIn = fanOut;
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("parameter count: " + count + " (expected: < 2^31)");
        }
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    public int layerCount() {
        return hidden.length + 1;
    }

    public int fanIn(int layer) {
        return layer == 0 ? inputs : hidden[layer - 1];
    }

    public int fanOut(int layer) {
        return layer == hidden.length ? outputs : hidden[layer];
    }

    /** Widest layer output, for sizing work buffers. */
    public int maxWidth() {
        int w = outputs;
        for (int h : hidden) {
            w = Math.max(w, h);
        }
        return w;
    }

    public int weightOffset(int layer) {
        int off = 0;
        for (int l = 0; l < layer; l++) {
            off += fanIn(l) * fanOut(l) + fanOut(l);
        }
        return off;
    }

    public int biasOffset(int layer) {
        return weightOffset(layer) + fanIn(layer) * fanOut(layer);
    }

    public int parameterCount() {
        return weightOffset(layerCount());
    }

    /** A boolean per parameter, true for weights and false for biases (weight decay skips biases). */
    public boolean[] weightMask() {
        boolean[] mask = new boolean[parameterCount()];
        for (int l = 0; l < layerCount(); l++) {
            Arrays.fill(mask, weightOffset(l), biasOffset(l), true);
        }
        return mask;
    }

    /** Multiply-adds of one forward pass for one example (for FLOP accounting in benchmarks). */
    public long forwardMacs() {
        long macs = 0;
        for (int l = 0; l < layerCount(); l++) {
            macs += (long) fanIn(l) * fanOut(l);
        }
        return macs;
    }

    /**
     * The network this model family is: the hidden dense layers, each followed by its activation (none for
     * identity), then the output layer. Same parameter layout, initialisation and arithmetic as before
     * networks were made of layers.
     */
    public Network toNetwork() {
        List<LayerSpec> layers = new ArrayList<>();
        for (int h : hidden) {
            layers.add(LayerSpec.of(LayerKind.DENSE, h));
            switch (activation) {
                case RELU -> layers.add(LayerSpec.of(LayerKind.RELU));
                case TANH -> layers.add(LayerSpec.of(LayerKind.TANH));
                case SIGMOID -> layers.add(LayerSpec.of(LayerKind.SIGMOID));
                case IDENTITY -> { }
            }
        }
        return Network.of(Shape.vector(inputs), layers, outputs, loss);
    }

    public String describe() {
        StringBuilder sb = new StringBuilder(type.id()).append(' ').append(inputs);
        for (int h : hidden) {
            sb.append(" -> ").append(h).append(' ').append(activation.id());
        }
        sb.append(" -> ").append(outputs).append(switch (loss) {
            case MSE -> " linear";
            case BINARY_CROSS_ENTROPY -> " sigmoid";
            case CROSS_ENTROPY -> " softmax";
        }).append(" (loss ").append(loss.id()).append(", ").append(parameterCount()).append(" parameters)");
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Architecture a && a.type == type && a.inputs == inputs && Arrays.equals(a.hidden, hidden)
                && a.activation == activation && a.outputs == outputs && a.loss == loss;
    }

    @Override
    public int hashCode() {
        return ((type.hashCode() * 31 + inputs) * 31 + Arrays.hashCode(hidden)) * 31 + activation.hashCode() * 7
                + outputs * 3 + loss.hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }
}
