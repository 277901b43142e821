package io.ringfold.collective;

/** How {@link Communicator#allReduce} combines the ranks' values, element-wise. */
public enum ReduceOp {
    SUM, MEAN, MAX
}
