package io.ringfold.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import scala.Tuple2;

import java.util.Iterator;
import java.util.List;

/**
 * The one pass over the input before training: per input partition, its row count and an
 * {@link InputSummary} of its rows. The counts give each partition's first global position (rows are
 * numbered in input order, whatever the partitioning), so no separate counting job (zipWithIndex) runs.
 */
final class InputPass {

    /** The merged summary (bad rows at their global positions) and each partition's first position. */
    record Result(InputSummary summary, long[] offsets) {
    }

    private InputPass() {
    }

    static Result run(JavaRDD<Row> rows, boolean classification, int metadataClasses) {
        List<Tuple2<Integer, InputSummary>> parts = rows.mapPartitionsWithIndex(
                (Integer p, Iterator<Row> it) -> {
                    InputSummary s = new InputSummary(classification, metadataClasses);
                    long k = 0;
                    while (it.hasNext()) {
                        s.add(it.next(), k++);
                    }
                    return List.of(new Tuple2<>(p, s)).iterator();
                }, false).collect();
        InputSummary[] byPartition = new InputSummary[rows.getNumPartitions()];
        for (Tuple2<Integer, InputSummary> t : parts) {
            byPartition[t._1()] = t._2();
        }
        long[] offsets = new long[byPartition.length];
        InputSummary total = Layout.merge(byPartition, offsets, classification, metadataClasses);
        return new Result(total, offsets);
    }

    /** Rows with their global positions, for routing through a shuffle. */
    static JavaRDD<Tuple2<Row, Long>> positioned(JavaRDD<Row> rows, long[] offsets) {
        long[] starts = offsets.clone();
        return rows.mapPartitionsWithIndex((Integer p, Iterator<Row> it) -> new Iterator<Tuple2<Row, Long>>() {
            private long next = starts[p];

            @Override
            public boolean hasNext() {
                return it.hasNext();
            }

            @Override
            public Tuple2<Row, Long> next() {
                return new Tuple2<>(it.next(), next++);
            }
        }, true);
    }
}
