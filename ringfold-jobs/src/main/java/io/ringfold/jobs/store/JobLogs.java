package io.ringfold.jobs.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** A job's log lines in {@code job_logs}, numbered by {@code jobs.log_end}; the newest lines are kept. */
final class JobLogs {

    private JobLogs() {
    }

    /**
     * Appends {@code lines} and returns the number the next line will get. Must run inside a transaction: the
     * increment of {@code log_end} locks the job's row until commit, so concurrent appenders get disjoint numbers.
     */
    static long append(Connection c, long id, List<String> lines, JdbcJobStore.Limits limits) throws SQLException {
        if (Database.update(c, "UPDATE jobs SET log_end = log_end + ? WHERE id = ?", lines.size(), id) != 1) {
            throw new UnknownJobException(id);
        }
        long end = logEnd(c, id);
        long first = end - lines.size();
        // Lines the cap would drop at once are never written.
        int skip = Math.max(0, lines.size() - limits.maxLogLines());
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO job_logs (job_id, line_no, line_text) VALUES (?, ?, ?)")) {
            for (int i = skip; i < lines.size(); i++) {
                ps.setLong(1, id);
                ps.setLong(2, first + i);
                ps.setString(3, JobRows.storable(String.valueOf(lines.get(i)), limits.maxLogLineChars()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        if (end > limits.maxLogLines()) {
            Database.update(c, "DELETE FROM job_logs WHERE job_id = ? AND line_no < ?", id, end - limits.maxLogLines());
        }
        return end;
    }

    static LogPage read(Connection c, long id, long from, int maxLines) throws SQLException {
        long end = logEnd(c, id);
        if (from < 0 || from > end) {
            throw new IllegalArgumentException("from: " + from + " (expected: 0 to " + end + ", the number of lines job "
                    + id + " has logged)");
        }
        List<String> lines = new ArrayList<>();
        long first = -1;
        try (PreparedStatement ps = c.prepareStatement("SELECT line_no, line_text FROM job_logs WHERE job_id = ? "
                + "AND line_no >= ? ORDER BY line_no FETCH FIRST " + maxLines + " ROWS ONLY")) {
            Database.bind(ps, id, from);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (first < 0) {
                        first = rs.getLong(1);
                    }
                    lines.add(rs.getString(2));
                }
            }
        }
        return first < 0 ? new LogPage(from, lines, from) : new LogPage(first, lines, first + lines.size());
    }

    static long logEnd(Connection c, long id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT log_end FROM jobs WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new UnknownJobException(id);
                }
                return rs.getLong(1);
            }
        }
    }
}
