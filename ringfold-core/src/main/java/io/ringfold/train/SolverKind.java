package io.ringfold.train;

import io.ringfold.model.ModelType;

import java.util.Locale;

/**
 * How the parameters are fitted. {@code lbfgs}, {@code owlqn} and {@code normal} are full-batch solvers of the
 * linear, logistic and softmax models' convex objectives; {@code sgd} and {@code adam} step through mini-batches
 * (with {@code --batch-size}, {@code --lr}, {@code --epochs}), as networks always do. {@code auto} chooses as
 * Spark MLlib does: see {@link #resolve}.
 */
public enum SolverKind {
    AUTO, LBFGS, OWLQN, NORMAL, SGD, ADAM;

    /** The most features {@code auto} solves by the normal equations (MLlib's limit): a d x d system per solve. */
    public static final int NORMAL_MAX_FEATURES = 4096;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SolverKind parse(String s) {
        for (SolverKind k : values()) {
            if (k.id().equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("solver: " + s + " (expected: auto, lbfgs, owlqn, normal, sgd or adam)");
    }

    /** Whether this solver computes the gradient over all training rows at each iteration. */
    public boolean fullBatch() {
        return this == LBFGS || this == OWLQN || this == NORMAL;
    }

    /** Whether a {@code model} fitted with this choice uses a full-batch solver ({@code auto} included). */
    public boolean fullBatchFor(ModelType model) {
        return model != ModelType.MLP && (this == AUTO || fullBatch());
    }

    /**
     * The solver {@code auto} stands for: for a network, itself (mini-batches with {@code --optimizer}); for a linear model
     * without an L1 term and at most {@link #NORMAL_MAX_FEATURES} features, the normal equations; else L-BFGS,
     * or OWL-QN when there is an L1 term. Any other choice is itself.
     */
    public SolverKind resolve(ModelType model, int features, boolean l1) {
        if (this != AUTO) {
            return this;
        }
        if (model == ModelType.MLP) {
            return AUTO;
        }
        if (l1) {
            return OWLQN;
        }
        return model == ModelType.LINEAR && features <= NORMAL_MAX_FEATURES ? NORMAL : LBFGS;
    }
}
