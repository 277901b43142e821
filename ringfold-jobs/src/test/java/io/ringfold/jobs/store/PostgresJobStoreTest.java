package io.ringfold.jobs.store;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.postgresql.ds.PGSimpleDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The job store contract on a real PostgreSQL server, named by the environment variable {@value #URL_ENV} (or the
 * system property {@value #URL_PROPERTY}), e.g.
 * {@code jdbc:postgresql://localhost:5432/ringfold_jobs_test?user=ringfold_test&password=ringfold_test}, which
 * .ci/run sets after starting Debian's {@code postgresql}. The database's tables are dropped before each test, so
 * give it a database of its own. Without the variable the test is skipped, except under CI=true, where it fails,
 * so CI cannot pass without running it.
 */
class PostgresJobStoreTest extends JobStoreContractTest {

    static final String URL_ENV = "RINGFOLD_TEST_POSTGRES_URL";
    static final String URL_PROPERTY = "ringfold.test.postgres.url";

    static String configuredUrl() {
        String url = System.getProperty(URL_PROPERTY, System.getenv(URL_ENV));
        return url == null || url.isBlank() ? null : url;
    }

    @BeforeAll
    static void requireServer() {
        boolean present = configuredUrl() != null;
        if (!present && "true".equals(System.getenv("CI"))) {
            fail(URL_ENV + " unset under CI=true (expected: the URL of a PostgreSQL test database, which .ci/run "
                    + "creates and exports)");
        }
        Assumptions.assumeTrue(present, URL_ENV + " unset: the PostgreSQL job store tests need a server (apt-get install "
                + "postgresql; see .ci/run for the role and database they use)");
    }

    @Override
    protected String emptyDatabaseUrl(Path tmp) throws SQLException {
        String url = configuredUrl();
        // Every table of the schema, so that a table a later migration adds is dropped too.
        execute(url, "DO $$ DECLARE t record; BEGIN FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = "
                + "current_schema() LOOP EXECUTE 'DROP TABLE IF EXISTS ' || quote_ident(t.tablename) || ' CASCADE'; "
                + "END LOOP; END $$");
        return url;
    }

    @Override
    protected DataSource emptyDataSource(Path tmp, String name) throws SQLException {
        String schema = "contract_" + name;
        String url = configuredUrl();
        execute(url, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        execute(url, "CREATE SCHEMA " + schema);
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        ds.setCurrentSchema(schema);
        return ds;
    }

    private static void execute(String url, String sql) throws SQLException {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(url);
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }
}
