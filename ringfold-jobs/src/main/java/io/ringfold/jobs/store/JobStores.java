package io.ringfold.jobs.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.ringfold.jobs.Names;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * Opens a job store: embedded H2 in a file under the service's data directory by default, or any H2 or PostgreSQL
 * database by JDBC URL. The schema is migrated on open. PostgreSQL's user and password come from the URL
 * ({@code ?user=...&password=...}) or, when the URL names no user, from the environment variables
 * {@value #USER_ENV} and {@value #PASSWORD_ENV} (which keeps the password out of command lines and process listings).
 */
public final class JobStores {

    public static final String USER_ENV = "RINGFOLD_JOBS_DB_USER";
    public static final String PASSWORD_ENV = "RINGFOLD_JOBS_DB_PASSWORD";
    /** The database file's base name under a data directory (H2 adds {@code .mv.db}). */
    public static final String H2_FILE = "jobs";
    /** Connections per store: a service's request threads and its job runners share them. */
    public static final int POOL_SIZE = 8;

    private JobStores() {
    }

    /** The H2 URL of the store under {@code dataDir}. */
    public static String h2Url(Path dataDir) {
        // Closed by the service's own shutdown hook, after it has given its running jobs back: H2's hook would close
        // the database under it first.
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve(H2_FILE) + ";DB_CLOSE_ON_EXIT=FALSE";
    }

    /** The embedded store under {@code dataDir} (created if absent): one service at a time may open it. */
    public static JdbcJobStore openDataDir(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        return open(h2Url(dataDir), System.getenv(), Clock.systemUTC());
    }

    /** The store at {@code url}, a {@code jdbc:h2:} or {@code jdbc:postgresql:} URL. */
    public static JdbcJobStore open(String url) {
        return open(url, System.getenv(), Clock.systemUTC());
    }

    /** As {@link #open(String)}, with the environment and clock given (tests). */
    public static JdbcJobStore open(String url, Map<String, String> env, Clock clock) {
        return open(url, env, clock, JdbcJobStore.Limits.DEFAULT);
    }

    /** As {@link #open(String)}, with the environment, clock and per-job limits given. */
    public static JdbcJobStore open(String url, Map<String, String> env, Clock clock, JdbcJobStore.Limits limits) {
        boolean postgres = url != null && url.startsWith("jdbc:postgresql:");
        if (url == null || !(postgres || url.startsWith("jdbc:h2:"))) {
            throw new IllegalArgumentException("store: " + Names.quote(redact(url))
                    + " (expected: a jdbc:h2: or jdbc:postgresql: URL)");
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setDriverClassName(postgres ? "org.postgresql.Driver" : "org.h2.Driver");
        if (!url.toLowerCase(java.util.Locale.ROOT).contains("user=") && env.get(USER_ENV) != null) {
            config.setUsername(env.get(USER_ENV));
            config.setPassword(env.get(PASSWORD_ENV));
        }
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(1);
        config.setPoolName("ringfold-jobs");
        // An unreachable database fails the open in seconds with the driver's reason, not at the first request.
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(10_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new JobStoreException("job store " + redact(url) + ": cannot connect: "
                    + String.valueOf(root.getMessage()).lines().findFirst().orElse(""), e);
        }
        try {
            JobStoreMigrations.migrate(pool);
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new JdbcJobStore(pool, clock, limits, redact(url));
    }

    /** The URL without its parameters (they may hold a password), for messages. */
    static String redact(String url) {
        if (url == null) {
            return null;
        }
        int q = url.indexOf('?');
        int semi = url.startsWith("jdbc:h2:") ? url.indexOf(';') : -1;
        int cut = q < 0 ? semi : semi < 0 ? q : Math.min(q, semi);
        return cut < 0 ? url : url.substring(0, cut);
    }
}
