package io.ringfold.spark;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BarrierSmokeTest {

    static final class GatherNames extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Integer>,
            scala.collection.Iterator<String>> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public scala.collection.Iterator<String> apply(scala.collection.Iterator<Integer> rows) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            String[] all = ctx.allGather("rank" + ctx.partitionId());
            return scala.jdk.javaapi.CollectionConverters.asScala(List.of(String.join(",", all)).iterator());
        }
    }

    @Test
    void barrierStageAllGathersEveryTasksMessage() {
        SparkSession spark = SparkTestSession.get();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Integer> rdd = sc.parallelize(Arrays.asList(1, 2, 3, 4), 2);
        Object out = rdd.rdd().barrier().mapPartitions(new GatherNames(), false,
                scala.reflect.ClassTag$.MODULE$.apply(String.class)).collect();
        List<String> names = Arrays.asList((String[]) out);
        assertThat(names).containsExactly("rank0,rank1", "rank0,rank1");
    }

    /**
     * Rank 1 reaches the all-gather 300 ms after rank 0. Spark's own call would keep rank 0 asleep for
     * the rest of its one-second poll (this test fails with it: about 1000 ms); PromptAllGather returns it
     * soon after rank 1 arrives (the bound leaves 600 ms to spare for a busy machine), with the right
     * messages and no interrupt left set.
     */
    static final class StaggeredGather extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Integer>,
            scala.collection.Iterator<String>> implements java.io.Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public scala.collection.Iterator<String> apply(scala.collection.Iterator<Integer> rows) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            if (ctx.partitionId() == 1) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            long t0 = System.nanoTime();
            String[] all = PromptAllGather.allGather(ctx, "rank" + ctx.partitionId());
            long millis = (System.nanoTime() - t0) / 1_000_000;
            boolean interruptLeft = Thread.currentThread().isInterrupted();
            return scala.jdk.javaapi.CollectionConverters.asScala(List.of(String.join(",", all) + " " + millis + " "
                    + interruptLeft).iterator());
        }
    }

    @Test
    void promptAllGatherDoesNotWaitOutSparksOneSecondPoll() {
        SparkSession spark = SparkTestSession.get();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        JavaRDD<Integer> rdd = sc.parallelize(Arrays.asList(1, 2, 3, 4), 2);
        Object out = rdd.rdd().barrier().mapPartitions(new StaggeredGather(), false,
                scala.reflect.ClassTag$.MODULE$.apply(String.class)).collect();
        String[] results = (String[]) out;
        String[] early = results[0].split(" ");
        assertThat(early[0]).isEqualTo("rank0,rank1");
        assertThat(results[1].split(" ")[0]).isEqualTo("rank0,rank1");
        assertThat(Long.parseLong(early[1])).as("rank 0's wait in ms").isLessThan(900);
        assertThat(early[2]).as("interrupt flag left on rank 0").isEqualTo("false");
        assertThat(results[1].split(" ")[2]).as("interrupt flag left on rank 1").isEqualTo("false");
    }
}
