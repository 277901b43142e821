package io.ringfold.jobs.store;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

import javax.sql.DataSource;

/**
 * The store's schema, versioned by Flyway: the scripts under {@value #LOCATION} ({@code V1__jobs.sql},
 * {@code V2__job_logs.sql}, ...) are applied in order, each once, and Flyway's {@code flyway_schema_history} table
 * records which. A database already migrated by a newer release (a script this code does not know) is used as it is,
 * Flyway's default, so old and new services can share one database during a rolling upgrade; that is why every
 * migration must be additive (new tables, new columns with defaults), never a rename or a drop.
 */
public final class JobStoreMigrations {

    public static final String LOCATION = "classpath:db/migration";

    private JobStoreMigrations() {
    }

    /** Brings the schema up to date; returns the version it is at. */
    public static String migrate(DataSource dataSource) {
        return migrate(dataSource, null);
    }

    /** Brings the schema up to {@code target} (a version such as "1"; null for the latest): for tests of upgrades. */
    public static String migrate(DataSource dataSource, String target) {
        var config = Flyway.configure(JobStoreMigrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations(LOCATION)
                .failOnMissingLocations(true);
        if (target != null) {
            config = config.target(target);
        }
        try {
            MigrateResult result = config.load().migrate();
            return result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        } catch (FlywayException e) {
            throw new JobStoreException("job store: schema migration: "
                    + String.valueOf(e.getMessage()).lines().filter(l -> !l.isBlank()).findFirst().orElse(""), e);
        }
    }
}
