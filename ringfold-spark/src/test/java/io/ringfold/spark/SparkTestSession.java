package io.ringfold.spark;

import org.apache.spark.sql.SparkSession;

/**
 * One local Spark session for every test class of this module (each start costs seconds); Spark's
 * shutdown hook stops it when the test JVM exits. {@code local[4,2]}: four task slots, so that fits run with 1
 * to 4 barrier tasks, and each task may fail twice, because in local mode one failure (the default) aborts the
 * job, where the fault-tolerance test needs Spark to retry the barrier stage.
 */
final class SparkTestSession {

    static final String MASTER = "local[4,2]";

    private SparkTestSession() {
    }

    static synchronized SparkSession get() {
        SparkSession s = SparkSession.builder().master(MASTER).appName("ringfold-spark-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
        String master = s.sparkContext().master();
        if (!master.equals(MASTER)) {
            throw new IllegalStateException("spark master: " + master + " (expected: " + MASTER
                    + "; another test left its session running)");
        }
        return s;
    }
}
