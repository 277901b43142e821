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
}
