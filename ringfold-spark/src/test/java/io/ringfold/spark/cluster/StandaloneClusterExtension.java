package io.ringfold.spark.cluster;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension giving a test class one {@link StandaloneCluster} and, on first use, one
 * {@link SparkSession} connected to it with every executor registered. Both are stopped after the last
 * test of the class, the session first. Register it on a static field of a class tagged
 * {@code cluster} (run in a JVM without a local-mode session):
 *
 * <pre>{@code
 * @Tag("cluster")
 * class MyClusterTest {
 *     @RegisterExtension
 *     static final StandaloneClusterExtension CLUSTER = new StandaloneClusterExtension(ClusterOptions.defaults());
 *
 *     @Test
 *     void trains() {
 *         SparkSession spark = CLUSTER.session();
 *         List<Long> executors = CLUSTER.cluster().executorPids();
 *         ...
 *     }
 * }
 * }</pre>
 */
public final class StandaloneClusterExtension implements BeforeAllCallback, AfterAllCallback {

    private final ClusterOptions options;
    private StandaloneCluster cluster;
    private SparkSession session;

    public StandaloneClusterExtension(ClusterOptions options) {
        this.options = options;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        cluster = StandaloneCluster.start(options);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (session != null) {
                session.stop();
            }
        } finally {
            session = null;
            if (cluster != null) {
                cluster.close();
                cluster = null;
            }
        }
    }

    /** The running cluster; only between the class's first and last test. */
    public StandaloneCluster cluster() {
        if (cluster == null) {
            throw new IllegalStateException("cluster: not running (expected: use from tests of the class "
                    + "that registers this extension on a static field)");
        }
        return cluster;
    }

    /**
     * The class's session on the cluster, created on first call by {@link StandaloneCluster#startSession}
     * with the test class's name as application name.
     */
    public SparkSession session() {
        if (session == null) {
            session = cluster().startSession("ringfold-test");
        }
        return session;
    }
}
