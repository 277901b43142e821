package io.ringfold.jobs.store;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.jobs.Engine;
import io.ringfold.jobs.JobSpec;
import io.ringfold.jobs.JobType;
import io.ringfold.jobs.Names;
import io.ringfold.runs.FileRunStore;
import io.ringfold.runs.RunRecord;
import io.ringfold.train.EpochMetrics;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Today's file run records ({@link FileRunStore}: a {@code run.json} beside each model) as SUCCEEDED train jobs.
 * The job is named after the record's directory relative to the models root ({@code iris/3} becomes {@code iris-3});
 * a directory named by a number is a model version, so its parent is recorded as the published model and the number
 * as the published version. The run id goes to the unique {@code source_run} column, which makes the import idempotent.
 */
final class RunRecordImport {

    static final String SUBMITTED_BY = "run-record-import";
    private static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");
    private static final Pattern NOT_IN_NAME = Pattern.compile("[^A-Za-z0-9_.-]+");
    /** The standard SQLState of a unique-constraint violation, the same in H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final Database db;

    RunRecordImport(Database db) {
        this.db = db;
    }

    ImportReport run(Path root) throws IOException {
        List<RunRecord> records = new FileRunStore(root).list();
        Set<String> present = db.run("import", RunRecordImport::importedRuns);
        int imported = 0;
        int already = 0;
        List<String> refused = new ArrayList<>();
        for (RunRecord r : records) {
            if (present.contains(r.id())) {
                already++;
                continue;
            }
            Row row;
            try {
                row = row(root, r);
            } catch (IllegalArgumentException | DateTimeParseException e) {
                refused.add(r.location().resolve(FileRunStore.RUN_FILE) + ": " + e.getMessage());
                continue;
            }
            if (db.run("import", c -> insert(c, row))) {
                imported++;
            } else {
                already++;
            }
        }
        return new ImportReport(imported, already, refused);
    }

    private record Row(String runId, JobSpec spec, Instant started, Instant finished, EpochMetrics last, int epochs,
                       ObjectNode summary, Long version) {
    }

    private static Row row(Path root, RunRecord r) {
        if (r.id().isEmpty() || r.id().length() > Names.MAX_NAME) {
            throw new IllegalArgumentException("id: " + Names.quote(r.id()) + " (expected: 1-128 characters)");
        }
        Path rel = root.toAbsolutePath().normalize().relativize(r.location().toAbsolutePath().normalize());
        String last = rel.getFileName() == null ? "" : rel.getFileName().toString();
        boolean versioned = VERSION.matcher(last).matches() && rel.getParent() != null;
        String model = versioned ? rel.getParent().getFileName().toString() : null;
        String name = NOT_IN_NAME.matcher(rel.toString().replace('/', '-').replace('\\', '-')).replaceAll("-")
                .replaceAll("\\.{2,}", ".").replaceAll("^[^A-Za-z0-9]+", "");
        name = name.isEmpty() ? "run" : name.substring(0, Math.min(name.length(), Names.MAX_NAME));
        List<String> args = new ArrayList<>(r.arguments());
        if (!args.isEmpty() && args.get(0).equals("train")) {
            args.remove(0);
        }
        ObjectNode summary = r.summary();
        Engine engine = summary.path("engine").asText().equals("spark") ? Engine.SPARK : Engine.LOCAL;
        int workers = summary.path("workers").asInt(1);
        JobSpec spec = new JobSpec(Names.checkName("name", name), JobType.TRAIN, engine, args,
                model != null && isName(model) ? model : null, workers > 1 ? workers : null, null, SUBMITTED_BY);
        Instant started = Instant.parse(r.startedAt());
        double seconds = Double.isFinite(r.durationSeconds()) && r.durationSeconds() >= 0 ? r.durationSeconds() : 0;
        Instant finished = started.plus(Duration.ofNanos((long) (seconds * 1e9)));
        EpochMetrics lastEpoch = r.epochs().isEmpty() ? null : r.epochs().get(r.epochs().size() - 1);
        return new Row(r.id(), spec, started, finished, lastEpoch, r.epochs().size(), summary,
                spec.publish() != null ? Long.valueOf(last) : null);
    }

    private static boolean isName(String s) {
        try {
            Names.checkName("publish", s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Set<String> importedRuns(Connection c) throws SQLException {
        Set<String> ids = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT source_run FROM jobs WHERE source_run IS NOT NULL");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    /** Inserts the job; false when another import inserted the same run meanwhile (the unique source_run). */
    private static boolean insert(Connection c, Row r) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO jobs (name, job_type, engine, spec_json, submitted_by, "
                + "state, created_at, queued_at, started_at, finished_at, attempts, current_epoch, total_epochs, "
                + "epoch_metrics, result_json, published_version, source_run) "
                + "VALUES (?, ?, ?, ?, ?, 'SUCCEEDED', ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)")) {
            Database.bind(ps, r.spec.name(), r.spec.type().id(), r.spec.engine().id(), r.spec.toJson().toString(),
                    r.spec.submittedBy(), r.started, r.started, r.started, r.finished, r.epochs, r.epochs,
                    r.last == null ? "{}" : r.last.toJson().toString(), r.summary.toString(), r.version, r.runId);
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }
}
