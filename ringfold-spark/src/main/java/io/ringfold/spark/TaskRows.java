package io.ringfold.spark;

import io.ringfold.collective.Communicator;
import io.ringfold.parallel.OwnedRows;
import scala.collection.Iterator;

import java.io.Serializable;

/**
 * How a barrier task gets the rows of the shards it owns: {@link #stage} reads the task's input before
 * the ring forms (a row that cannot be read fails there, before any peer waits on this task);
 * {@link #publish} is what the task adds to the stage's all-gather, from which every task decides the
 * same {@link #layout}; {@link #complete} finishes once the ring is connected.
 *
 * @param <T> the input's element type
 * @param <S> what staging keeps until the ring is up
 */
interface TaskRows<T, S> extends Serializable {

    S stage(Iterator<T> input, int rank);

    /** A token without spaces for the all-gather (may be empty). */
    String publish(S staged);

    /**
     * The layout from every task's published token (index = rank); throws
     * {@link IllegalArgumentException} for bad input, with the same message on every task.
     */
    Layout layout(String[] published);

    /**
     * This task's owned rows. {@code sameJvmKey} names the stage attempt when every task runs in this JVM
     * (the tasks may then read each other's staged rows directly), else null.
     */
    OwnedRows complete(S staged, Layout layout, Communicator comm, String sameJvmKey);
}
