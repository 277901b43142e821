package io.ringfold.spark.cluster;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs one barrier stage of {@code tasks} tasks from Java and collects each task's string: the shortest
 * path from a test to code inside {@link BarrierTaskContext} (allGather, barrier, stage attempt number)
 * without an RDD of real data. The task function travels to the executors by Java serialization.
 *
 * <p>The barrier stage ends in a shuffle, so it is a ShuffleMapStage: Spark retries a failed barrier
 * stage only then. A barrier ResultStage (barrier {@code mapPartitions} followed directly by
 * {@code collect}) is aborted on the first task failure ("Could not recover from a failed barrier
 * ResultStage", DAGScheduler.handleTaskCompletion), because its tasks may have committed output.
 * Training code that must survive a lost executor needs the same shape.
 */
public final class BarrierJob {

    /** What every task runs; its result comes back to the driver, in partition order. */
    @FunctionalInterface
    public interface Task extends Serializable {
        String run(BarrierTaskContext context) throws Exception;
    }

    private BarrierJob() {
    }

    /** Runs {@code task} in a barrier stage of {@code tasks} tasks and returns their results in order. */
    public static List<String> run(SparkSession spark, int tasks, Task task) {
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks: " + tasks + " (expected: >= 1)");
        }
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> partitions = new ArrayList<>();
        for (int i = 0; i < tasks; i++) {
            partitions.add(i);
        }
        RDD<String> tagged = sc.parallelize(partitions, tasks).rdd().barrier()
                .mapPartitions(new RunTask(task), false, ClassTag$.MODULE$.apply(String.class));
        // The shuffle makes the barrier stage a map stage (retryable); the driver restores task order.
        List<String> collected = new ArrayList<>(JavaRDD.fromRDD(tagged, ClassTag$.MODULE$.apply(String.class))
                .coalesce(1, true).collect());
        String[] results = new String[tasks];
        for (String line : collected) {
            int tab = line.indexOf('\t');
            results[Integer.parseInt(line.substring(0, tab))] = line.substring(tab + 1);
        }
        return Arrays.asList(results);
    }

    private static final class RunTask extends AbstractFunction1<scala.collection.Iterator<Integer>,
            scala.collection.Iterator<String>> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final Task task;

        RunTask(Task task) {
            this.task = task;
        }

        @Override
        public scala.collection.Iterator<String> apply(scala.collection.Iterator<Integer> ignored) {
            String result;
            try {
                result = task.run(BarrierTaskContext.get());
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("barrier task of partition "
                        + BarrierTaskContext.get().partitionId() + " failed", e);
            }
            String tagged = BarrierTaskContext.get().partitionId() + "\t" + result;
            return scala.jdk.javaapi.CollectionConverters.asScala(List.of(tagged).iterator());
        }
    }
}
