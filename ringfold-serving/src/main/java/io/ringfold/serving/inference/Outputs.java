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
        if (raw.cols() == 1) {
            float p = raw.get(r, 0);
            return new float[] {1f - p, p};
        }
        float[] p = new float[raw.cols()];
        System.arraycopy(raw.data(), r * raw.cols(), p, 0, p.length);
        return p;
    }

    public String className(int r) {
        return model.classNames().get(classes[r]);
    }

    public float value(int r) {
        return raw.get(r, 0);
    }
}
