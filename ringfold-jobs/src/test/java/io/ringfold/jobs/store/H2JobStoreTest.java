package io.ringfold.jobs.store;

import org.h2.jdbcx.JdbcDataSource;

import javax.sql.DataSource;
import java.nio.file.Path;

/** The job store contract on embedded H2, a database file per test. */
class H2JobStoreTest extends JobStoreContractTest {

    @Override
    protected String emptyDatabaseUrl(Path tmp) {
        return JobStores.h2Url(tmp);
    }

    @Override
    protected DataSource emptyDataSource(Path tmp, String name) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:file:" + tmp.toAbsolutePath().resolve(name));
        return ds;
    }
}
