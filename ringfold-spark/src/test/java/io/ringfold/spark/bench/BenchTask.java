package io.ringfold.spark.bench;

/** The two training tasks of the comparison and the test accuracy each must reach. */
public enum BenchTask {
    /** Multinomial logistic (softmax) regression, 784 inputs, 10 classes: to test accuracy 0.84. */
    SOFTMAX("softmax", 0.84),
    /** Multilayer perceptron 784-128-10: to test accuracy 0.86. */
    MLP("mlp", 0.86);

    private final String id;
    private final double target;

    BenchTask(String id, double target) {
        this.id = id;
        this.target = target;
    }

    /** Name used on the command line and in the JSON lines. */
    public String id() {
        return id;
    }

    /** Test accuracy the task counts as reached. */
    public double targetAccuracy() {
        return target;
    }

    /** @throws IllegalArgumentException naming the value and the accepted ones */
    public static BenchTask parse(String id) {
        for (BenchTask t : values()) {
            if (t.id.equals(id)) {
                return t;
            }
        }
        throw new IllegalArgumentException("task: " + id + " (expected: softmax or mlp)");
    }
}
