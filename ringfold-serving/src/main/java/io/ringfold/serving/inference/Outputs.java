package io.ringfold.serving.inference;

import io.ringfold.model.Model;
import io.ringfold.tensor.FloatMatrix;

/** Shapes a model's raw outputs into the served tensors (see {@link Signature}). */
public final class Outputs {

    private final Model model;
    private final FloatMatrix raw;
    private final int[] classes;

    public Outputs(Model model, FloatMatrix raw) {
        this.model = model;
        this.raw = raw;
        this.classes = model.isClassifier() ? model.predictedClasses(raw) : null;
    }

    public int rows() {
        return raw.rows();
    }

    /** Per-class probabilities of row r; a single sigmoid output p becomes (1 - p, p), as in {@code ringfold predict}. */
    public float[] probabilities(int r) {
        return model.classProbabilities(raw, r);
    }

    public String className(int r) {
        return model.classNames().get(classes[r]);
    }

    public float value(int r) {
        return raw.get(r, 0);
    }
}
