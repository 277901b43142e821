package io.ringfold.spark;

import io.ringfold.collective.Communicator;
import io.ringfold.parallel.OwnedRows;
import scala.collection.Iterator;

import java.io.Serializable;

/**
 * How a barrier task gets the rows of the shards it owns: {@link #stage} reads the task's input before
 * the ring forms (a bad row fails there, before any peer waits on this task), {@link #complete} finishes
 * over the ring, once it is connected.
 *
 * @param <T> the input's element type
 * @param <S> what staging keeps until the ring is up
 */
interface TaskRows<T, S> extends Serializable {

    S stage(Iterator<T> input, int rank);

    OwnedRows complete(S staged, Communicator comm);
}
