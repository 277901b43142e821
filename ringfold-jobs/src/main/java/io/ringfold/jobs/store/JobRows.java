package io.ringfold.jobs.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.jobs.Job;
import io.ringfold.jobs.JobProgress;
import io.ringfold.jobs.JobSpec;
import io.ringfold.jobs.JobState;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** How a job maps to a row of {@code jobs} and back, and how values are bound; one place for both databases. */
final class JobRows {

    /** The columns {@link #read} needs, in a SELECT list. */
    static final String COLUMNS = "id, spec_json, state, reason, cancel_requested, created_at, started_at, finished_at, "
            + "attempts, owner_id, heartbeat_at, current_epoch, total_epochs, epoch_metrics, result_json, published_version, "
            + "source_run";
    /** Reasons are one line for a person; a longer one (a stack trace pasted in) is cut to fit the column. */
    static final int MAX_REASON = 4000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobRows() {
    }

    static Job read(ResultSet rs) throws SQLException {
        return new Job(rs.getLong("id"), JobSpec.fromJson(json(rs.getString("spec_json"))),
                JobState.valueOf(rs.getString("state")), rs.getString("reason"), rs.getBoolean("cancel_requested"),
                instant(rs, "created_at"), instant(rs, "started_at"), instant(rs, "finished_at"), rs.getInt("attempts"),
                rs.getString("owner_id"), instant(rs, "heartbeat_at"),
                new JobProgress(rs.getInt("current_epoch"), rs.getInt("total_epochs"), object(rs.getString("epoch_metrics"))),
                object(rs.getString("result_json")), nullableLong(rs, "published_version"), rs.getString("source_run"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static Long nullableLong(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            // Only this code writes these columns; a row that does not parse was changed by hand.
            throw new IllegalStateException("job store: a JSON column does not parse (" + e.getOriginalMessage() + ")", e);
        }
    }

    static ObjectNode object(String text) {
        return json(text) instanceof ObjectNode o ? o : JSON.createObjectNode();
    }

    /** Instants as both databases keep them (microseconds), so what is read back equals what was written. */
    static Instant truncate(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS);
    }

    static void setInstant(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(i, OffsetDateTime.ofInstant(truncate(t), ZoneOffset.UTC));
        }
    }

    static void setLong(PreparedStatement ps, int i, Long v) throws SQLException {
        if (v == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, v);
        }
    }

    /**
     * Text that came from a running job (a reason, a log line) made storable: NUL, which PostgreSQL's text cannot
     * hold, becomes U+FFFD, and a text over {@code max} characters is cut with a marker saying so.
     */
    static String storable(String s, int max) {
        String t = s.indexOf('\0') >= 0 ? s.replace('\0', '\uFFFD') : s;
        if (t.length() <= max) {
            return t;
        }
        String marker = " [cut at " + max + " characters]";
        return t.substring(0, max - marker.length()) + marker;
    }
}
