/**
 * A real multi-process Spark standalone cluster for tests: a Master and Workers started as separate JVMs
 * from the Maven test classpath, whose executors are JVMs of their own. Tests use it through
 * {@link io.ringfold.spark.cluster.StandaloneClusterExtension} or {@link io.ringfold.spark.cluster.StandaloneCluster}
 * directly; ringfold's classes reach the executors through the same classpath, so estimators can be run
 * here exactly as on a cluster. Test classes that start a cluster carry {@code @Tag("cluster")}: the
 * module's POM runs that group in a JVM of its own, apart from the local-mode session the other tests
 * share (a JVM holds one SparkContext).
 */
package io.ringfold.spark.cluster;
