package io.ringfold.jobs.store;

import javax.sql.DataSource;
import java.io.Closeable;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/**
 * The store's way to the database: work on one pooled connection (in auto-commit or as one transaction), binding
 * of parameters, and failures turned into one-line {@link JobStoreException}s naming the store and the operation.
 */
final class Database {

    /** Work on one connection. */
    interface Work<T> {
        T run(Connection c) throws SQLException, IOException;
    }

    private final DataSource dataSource;
    private final String description;

    Database(DataSource dataSource, String description) {
        this.dataSource = dataSource;
        this.description = description;
    }

    String description() {
        return description;
    }

    /** {@code work} on one connection in auto-commit: each statement stands alone. */
    <T> T run(String operation, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException | IOException e) {
            String first = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            String state = e instanceof SQLException s && s.getSQLState() != null ? " [SQLState " + s.getSQLState() + "]" : "";
            throw new JobStoreException("job store " + description + ": " + operation + ": " + first + state, e);
        }
    }

    /** {@code work} as one transaction: all of it or none. */
    <T> T transaction(String operation, Work<T> work) {
        return run(operation, c -> {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    /** Closes the pool, when the data source is one this store opened. */
    void close() {
        if (dataSource instanceof Closeable closeable) {
            try {
                closeable.close();
            } catch (IOException e) {
                throw new JobStoreException("job store " + description + ": close: " + e.getMessage(), e);
            }
        }
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bind(ps, args);
            return ps.executeUpdate();
        }
    }

    /** Binds instants as both databases keep them ({@link JobRows#setInstant}), null as SQL NULL. */
    static void bind(PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Instant t) {
                JobRows.setInstant(ps, i + 1, t);
            } else if (a == null) {
                // Untyped: PostgreSQL refuses a NULL typed as text for a BIGINT or TIMESTAMP column.
                ps.setNull(i + 1, Types.NULL);
            } else {
                ps.setObject(i + 1, a);
            }
        }
    }
}
