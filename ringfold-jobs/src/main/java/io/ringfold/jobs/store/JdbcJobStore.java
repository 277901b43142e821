package io.ringfold.jobs.store;

import io.ringfold.jobs.Job;
import io.ringfold.jobs.JobOutcome;
import io.ringfold.jobs.JobProgress;
import io.ringfold.jobs.JobSpec;
import io.ringfold.jobs.JobState;
import io.ringfold.jobs.Names;

import javax.sql.DataSource;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * {@link JobStore} over JDBC, one implementation for H2 and PostgreSQL: the SQL is standard and runs on both
 * as written. Every state change is a single {@code UPDATE ... WHERE id = ? AND state = ... [AND owner_id = ?]}
 * whose row count says whether it won, so no lock is held between statements and no database-specific
 * locking ({@code SKIP LOCKED}) is needed; under READ COMMITTED both databases re-check the condition on the
 * row a concurrent update committed. The schema must be migrated first ({@link JobStoreMigrations}); {@link
 * JobStores} does both.
 */
public final class JdbcJobStore implements JobStore {

    /**
     * Bounds on what one job keeps: its newest {@code maxLogLines} log lines (the oldest are dropped, as a
     * follower wants the latest), each cut to {@code maxLogLineChars} characters.
     */
    public record Limits(int maxLogLines, int maxLogLineChars) {
        public static final Limits DEFAULT = new Limits(10_000, 8_192);

        public Limits {
            if (maxLogLines < 1) {
                throw new IllegalArgumentException("maxLogLines: " + maxLogLines + " (expected: >= 1)");
            }
            if (maxLogLineChars < 64) {
                throw new IllegalArgumentException("maxLogLineChars: " + maxLogLineChars + " (expected: >= 64)");
            }
        }
    }

    /** At most this many lines per read or append, so one call stays one bounded statement. */
    public static final int MAX_LINES_PER_CALL = 10_000;

    private final Database db;
    private final Clock clock;
    private final Limits limits;

    /**
     * A store on a migrated database. {@code clock} stamps every instant (heartbeats included), so services sharing a
     * database must have clocks that agree to well within the staleness they reclaim at (NTP does). {@link #close}
     * closes {@code dataSource} when it is {@link java.io.Closeable} (a pool); {@code description} names the store in
     * messages and must hold no password.
     */
    public JdbcJobStore(DataSource dataSource, Clock clock, Limits limits, String description) {
        this.db = new Database(dataSource, description);
        this.clock = clock;
        this.limits = limits;
    }

    @Override
    public Job create(JobSpec spec) {
        return db.run("create", c -> {
            Instant now = now();
            long id;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO jobs (name, job_type, engine, spec_json, "
                    + "submitted_by, state, created_at, queued_at) VALUES (?, ?, ?, ?, ?, 'QUEUED', ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, spec.name());
                ps.setString(2, spec.type().id());
                ps.setString(3, spec.engine().id());
                ps.setString(4, spec.toJson().toString());
                ps.setString(5, spec.submittedBy());
                JobRows.setInstant(ps, 6, now);
                JobRows.setInstant(ps, 7, now);
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    id = keys.getLong("id");
                }
            }
            return read(c, id);
        });
    }

    @Override
    public Optional<Job> get(long id) {
        return db.run("get", c -> find(c, id));
    }

    @Override
    public List<Job> list(JobQuery q) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (!q.states().isEmpty()) {
            StringJoiner in = new StringJoiner(", ", " AND state IN (", ")");
            q.states().forEach(s -> {
                in.add("?");
                args.add(s.name());
            });
            where.append(in);
        }
        if (q.namePrefix() != null && !q.namePrefix().isEmpty()) {
            // '!' cannot occur in a prefix (JobQuery checks), so it escapes LIKE's '_' without ambiguity.
            where.append(" AND name LIKE ? ESCAPE '!'");
            args.add(q.namePrefix().replace("_", "!_") + "%");
        }
        if (q.engine() != null) {
            where.append(" AND engine = ?");
            args.add(q.engine().id());
        }
        if (q.createdAfter() != null) {
            where.append(" AND created_at >= ?");
            args.add(q.createdAfter());
        }
        if (q.createdBefore() != null) {
            where.append(" AND created_at < ?");
            args.add(q.createdBefore());
        }
        String query = "SELECT " + JobRows.COLUMNS + " FROM jobs" + where
                + " ORDER BY created_at DESC, id DESC FETCH FIRST " + q.limit() + " ROWS ONLY";
        return db.run("list", c -> {
            try (PreparedStatement ps = c.prepareStatement(query)) {
                Database.bind(ps, args.toArray());
                return readAll(ps);
            }
        });
    }

    @Override
    public long count(JobState state) {
        return db.run("count", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM jobs WHERE state = ?")) {
                ps.setString(1, state.name());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public Optional<Job> claimNext(String owner) {
        Names.checkOwner(owner);
        return db.run("claim", c -> {
            // Each lost race means another claimer won a job, so the loop ends when the queue is empty.
            while (true) {
                long id;
                try (PreparedStatement ps = c.prepareStatement("SELECT id FROM jobs WHERE state = 'QUEUED' "
                        + "ORDER BY queued_at, id FETCH FIRST 1 ROWS ONLY"); ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    id = rs.getLong(1);
                }
                Instant now = now();
                if (Database.update(c, "UPDATE jobs SET state = 'RUNNING', owner_id = ?, started_at = ?, heartbeat_at = ?, "
                        + "attempts = attempts + 1 WHERE id = ? AND state = 'QUEUED'", owner, now, now, id) == 1) {
                    return Optional.of(read(c, id));
                }
            }
        });
    }

    @Override
    public HeartbeatReply heartbeat(String owner, Collection<Long> ids) {
        Names.checkOwner(owner);
        if (ids.isEmpty()) {
            return new HeartbeatReply(Set.of(), Set.of());
        }
        if (ids.size() > MAX_LINES_PER_CALL) {
            throw new IllegalArgumentException("heartbeat ids: " + ids.size() + " (expected: at most " + MAX_LINES_PER_CALL + ")");
        }
        String in = "?" + ", ?".repeat(ids.size() - 1);
        return db.run("heartbeat", c -> {
            List<Object> args = new ArrayList<>(List.of(now(), owner));
            args.addAll(ids);
            Database.update(c, "UPDATE jobs SET heartbeat_at = ? WHERE owner_id = ? AND state = 'RUNNING' AND id IN (" + in + ")",
                    args.toArray());
            Set<Long> owned = new HashSet<>();
            Set<Long> cancel = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, cancel_requested FROM jobs WHERE owner_id = ? "
                    + "AND state = 'RUNNING' AND id IN (" + in + ")")) {
                Database.bind(ps, args.subList(1, args.size()).toArray());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        owned.add(rs.getLong(1));
                        if (rs.getBoolean(2)) {
                            cancel.add(rs.getLong(1));
                        }
                    }
                }
            }
            return new HeartbeatReply(owned, cancel);
        });
    }

    @Override
    public Job progress(long id, String owner, JobProgress p) {
        Names.checkOwner(owner);
        return db.transaction("progress", c -> {
            int n = Database.update(c, "UPDATE jobs SET current_epoch = ?, total_epochs = ?, epoch_metrics = ?, heartbeat_at = ? "
                    + "WHERE id = ? AND state = 'RUNNING' AND owner_id = ?", p.epoch(), p.epochs(), p.metrics().toString(),
                    now(), id, owner);
            if (n == 1 && p.epoch() > 0) {
                Database.update(c, "DELETE FROM job_epochs WHERE job_id = ? AND epoch >= ?", id, p.epoch());
                Database.update(c, "INSERT INTO job_epochs (job_id, epoch, metrics) VALUES (?, ?, ?)", id, p.epoch(),
                        p.metrics().toString());
            }
            return changedOrRefuse(c, n, id, JobState.RUNNING, owner, "record progress");
        });
    }

    @Override
    public List<JobProgress> epochs(long id) {
        return db.run("epochs", c -> {
            Job job = read(c, id);
            List<JobProgress> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT epoch, metrics FROM job_epochs WHERE job_id = ? "
                    + "ORDER BY epoch")) {
                Database.bind(ps, id);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int epoch = rs.getInt(1);
                        out.add(new JobProgress(epoch, Math.max(epoch, job.progress().epochs()),
                                JobRows.object(rs.getString(2))));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public Job finish(long id, String owner, JobOutcome o) {
        Names.checkOwner(owner);
        return db.run("finish", c -> {
            int n = Database.update(c, "UPDATE jobs SET state = ?, reason = ?, result_json = ?, published_version = ?, "
                    + "finished_at = ?, heartbeat_at = NULL WHERE id = ? AND state = 'RUNNING' AND owner_id = ?",
                    o.state().name(), o.reason() == null ? null : JobRows.storable(o.reason(), JobRows.MAX_REASON),
                    o.result().toString(), o.publishedVersion(), now(), id, owner);
            return changedOrRefuse(c, n, id, JobState.RUNNING, owner, "finish as " + o.state());
        });
    }

    @Override
    public Job requestCancel(long id) {
        return db.run("cancel", c -> {
            if (Database.update(c, "UPDATE jobs SET state = 'CANCELLED', reason = 'cancelled before it started', "
                    + "cancel_requested = TRUE, finished_at = ? WHERE id = ? AND state = 'QUEUED'", now(), id) == 1
                    || Database.update(c, "UPDATE jobs SET cancel_requested = TRUE WHERE id = ? AND state = 'RUNNING'", id) == 1) {
                return read(c, id);
            }
            Job j = read(c, id);
            if (j.state() == JobState.CANCELLED) {
                return j;
            }
            throw new JobStateException("job " + id + ": " + j.state() + ", cannot be cancelled (expected: QUEUED or RUNNING)");
        });
    }

    @Override
    public Job release(long id, String owner, String reason) {
        Names.checkOwner(owner);
        return db.transaction("release", c -> {
            int n = Database.update(c, "UPDATE jobs SET state = 'QUEUED', owner_id = NULL, heartbeat_at = NULL, started_at = NULL "
                    + "WHERE id = ? AND state = 'RUNNING' AND owner_id = ?", id, owner);
            Job j = changedOrRefuse(c, n, id, JobState.RUNNING, owner, "release");
            JobLogs.append(c, id, List.of("released by " + owner + ": " + reason), limits);
            return j;
        });
    }

    @Override
    public Job retry(long id) {
        return db.transaction("retry", c -> {
            Job before = read(c, id);
            int n = Database.update(c, "UPDATE jobs SET state = 'QUEUED', queued_at = ?, reason = NULL, cancel_requested = FALSE, "
                    + "started_at = NULL, finished_at = NULL, owner_id = NULL, heartbeat_at = NULL, current_epoch = 0, "
                    + "total_epochs = 0, epoch_metrics = '{}', result_json = '{}', published_version = NULL "
                    + "WHERE id = ? AND state IN ('FAILED', 'CANCELLED')", now(), id);
            if (n != 1) {
                throw new JobStateException("job " + id + ": " + before.state() + ", cannot be retried (expected: FAILED or "
                        + "CANCELLED; submit a new job to train again)");
            }
            Database.update(c, "DELETE FROM job_epochs WHERE job_id = ?", id);
            JobLogs.append(c, id, List.of("retried: attempt " + before.attempts() + " ended " + before.state()
                    + (before.reason() == null ? "" : ": " + before.reason())), limits);
            return read(c, id);
        });
    }

    @Override
    public List<Job> reclaimFrom(String deadOwner, String newOwner) {
        Names.checkOwner(deadOwner);
        Names.checkOwner(newOwner);
        return db.transaction("reclaim", c -> takeOver(c, "owner_id = ?", List.of(deadOwner), newOwner));
    }

    @Override
    public List<Job> reclaimStale(Duration staleAfter, String newOwner) {
        Names.checkOwner(newOwner);
        if (staleAfter.isNegative()) {
            throw new IllegalArgumentException("staleAfter: " + staleAfter + " (expected: >= 0)");
        }
        return db.transaction("reclaim", c -> takeOver(c, "heartbeat_at < ? AND owner_id <> ?",
                List.of(now().minus(staleAfter), newOwner), newOwner));
    }

    /** Takes over each RUNNING job matching {@code condition}, one conditional update each, and returns those won. */
    private List<Job> takeOver(Connection c, String condition, List<Object> args, String newOwner) throws SQLException {
        List<Long> ids = new ArrayList<>();
        List<String> owners = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, owner_id FROM jobs WHERE state = 'RUNNING' AND "
                + condition + " ORDER BY id")) {
            Database.bind(ps, args.toArray());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                    owners.add(rs.getString(2));
                }
            }
        }
        List<Job> won = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            // The same condition again, and the owner seen: a job its owner revived or another service took is lost.
            List<Object> a = new ArrayList<>(List.of(newOwner, now(), ids.get(i), owners.get(i)));
            a.addAll(args);
            if (Database.update(c, "UPDATE jobs SET owner_id = ?, heartbeat_at = ?, attempts = attempts + 1 WHERE id = ? "
                    + "AND state = 'RUNNING' AND owner_id = ? AND " + condition, a.toArray()) == 1) {
                JobLogs.append(c, ids.get(i), List.of("taken over by " + newOwner + " from " + owners.get(i)), limits);
                won.add(read(c, ids.get(i)));
            }
        }
        return won;
    }

    @Override
    public long appendLog(long id, List<String> lines) {
        if (lines.size() > MAX_LINES_PER_CALL) {
            throw new IllegalArgumentException("log lines: " + lines.size() + " (expected: at most " + MAX_LINES_PER_CALL
                    + " per call)");
        }
        return db.transaction("append log", c -> JobLogs.append(c, id, lines, limits));
    }

    @Override
    public LogPage readLog(long id, long from, int maxLines) {
        checkMaxLines(maxLines);
        return db.run("read log", c -> JobLogs.read(c, id, from, maxLines));
    }

    private static void checkMaxLines(int maxLines) {
        if (maxLines < 1 || maxLines > MAX_LINES_PER_CALL) {
            throw new IllegalArgumentException("maxLines: " + maxLines + " (expected: 1 to " + MAX_LINES_PER_CALL + ")");
        }
    }

    @Override
    public LogPage readLogTail(long id, int maxLines) {
        checkMaxLines(maxLines);
        return db.run("read log", c -> JobLogs.read(c, id, Math.max(0, JobLogs.logEnd(c, id) - maxLines), maxLines));
    }

    @Override
    public ImportReport importRuns(Path modelsRoot) throws IOException {
        return new RunRecordImport(db).run(modelsRoot);
    }

    @Override
    public void close() {
        db.close();
    }

    @Override
    public String toString() {
        return "JdbcJobStore[" + db.description() + "]";
    }

    private Instant now() {
        return JobRows.truncate(clock.instant());
    }

    /** The job after a conditional update; when it changed nothing, the one-line reason it was refused. */
    private static Job changedOrRefuse(Connection c, int updated, long id, JobState expected, String owner, String action)
            throws SQLException {
        Job j = read(c, id);
        if (updated == 1) {
            return j;
        }
        if (j.state() != expected) {
            throw new JobStateException("job " + id + ": " + j.state() + ", cannot " + action + " (expected: " + expected + ")");
        }
        throw new JobStateException("job " + id + ": owned by " + j.owner() + ", cannot " + action + " for " + owner
                + " (expected: its owner)");
    }

    static Job read(Connection c, long id) throws SQLException {
        return find(c, id).orElseThrow(() -> new UnknownJobException(id));
    }

    private static Optional<Job> find(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + JobRows.COLUMNS + " FROM jobs WHERE id = ?")) {
            ps.setLong(1, id);
            List<Job> jobs = readAll(ps);
            return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
        }
    }

    private static List<Job> readAll(PreparedStatement ps) throws SQLException {
        List<Job> jobs = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                jobs.add(JobRows.read(rs));
            }
        }
        return jobs;
    }
}
