package io.ringfold.jobs.store;

import io.ringfold.jobs.Engine;
import io.ringfold.jobs.Job;
import io.ringfold.jobs.JobSpec;
import io.ringfold.jobs.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobStoresTest {

    @TempDir
    Path tmp;

    @Test
    void aDataDirectoryStoreKeepsEveryRecordAcrossARestart() throws Exception {
        Path data = tmp.resolve("data");
        long id;
        try (JdbcJobStore first = JobStores.openDataDir(data)) {
            id = first.create(JobSpec.train("kept", Engine.LOCAL, List.of("--epochs", "2"), "u")).id();
            first.claimNext("svc-1");
            first.appendLog(id, List.of("epoch 1/2"));
        }
        assertThat(data.resolve("jobs.mv.db")).isRegularFile();

        try (JdbcJobStore second = JobStores.openDataDir(data)) {
            Job j = second.get(id).orElseThrow();
            assertThat(j.state()).isEqualTo(JobState.RUNNING);
            assertThat(j.owner()).isEqualTo("svc-1");
            assertThat(second.readLog(id, 0, 10).lines()).containsExactly("epoch 1/2");
            assertThat(second.reclaimFrom("svc-1", "svc-1")).extracting(Job::id).containsExactly(id);
        }
    }

    @Test
    void credentialsComeFromTheEnvironmentWhenTheUrlNamesNoUser() throws Exception {
        String url = JobStores.h2Url(tmp);
        Map<String, String> env = Map.of(JobStores.USER_ENV, "svc", JobStores.PASSWORD_ENV, "s3cret");
        try (JdbcJobStore s = JobStores.open(url, env, Clock.systemUTC())) {
            s.create(JobSpec.train("x", Engine.LOCAL, List.of(), "u"));
        }
        // H2 made the first user it saw the database's administrator: the one from the environment.
        try (var c = DriverManager.getConnection(url, "svc", "s3cret")) {
            assertThat(c.isValid(1)).isTrue();
        }
        assertThatThrownBy(() -> DriverManager.getConnection(url, "svc", "guess")).isInstanceOf(SQLException.class);
    }

    @Test
    void anUnknownUrlIsRefusedWithoutShowingItsPassword() {
        assertThatThrownBy(() -> JobStores.open("jdbc:mysql://db:3306/jobs?user=a&password=hunter2"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("store: 'jdbc:mysql://db:3306/jobs' (expected: a jdbc:h2: or jdbc:postgresql: URL)");
        assertThat(JobStores.redact("jdbc:h2:file:/d/jobs;PASSWORD=x")).isEqualTo("jdbc:h2:file:/d/jobs");
        assertThat(JobStores.redact("jdbc:postgresql://h/db")).isEqualTo("jdbc:postgresql://h/db");
    }

    @Test
    void aDatabaseMigratedByANewerReleaseIsUsedAsItIs() throws Exception {
        String url = JobStores.h2Url(tmp);
        JobStores.open(url).close();
        try (var c = DriverManager.getConnection(url); var s = c.createStatement()) {
            // What a later release's V4 leaves behind: a row in Flyway's history and an additive change.
            s.executeUpdate("INSERT INTO \"flyway_schema_history\" (\"installed_rank\", \"version\", \"description\", \"type\", "
                    + "\"script\", \"checksum\", \"installed_by\", \"execution_time\", \"success\") VALUES (4, '4', 'future', "
                    + "'SQL', 'V4__future.sql', 0, 'sa', 1, TRUE)");
            s.executeUpdate("ALTER TABLE jobs ADD COLUMN priority INTEGER DEFAULT 0 NOT NULL");
        }
        // Flyway's default: an unknown newer migration is not an error, so old and new services can share a database
        // during a rolling upgrade (migrations are additive for that reason; see docs/jobs.md).
        try (JdbcJobStore s = JobStores.open(url)) {
            Job j = s.create(JobSpec.train("after-upgrade", Engine.LOCAL, List.of(), "u"));
            assertThat(s.get(j.id())).contains(j);
        }
    }
}
