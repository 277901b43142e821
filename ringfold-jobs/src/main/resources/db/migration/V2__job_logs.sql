-- Each job's log lines, numbered from 0 in the order appended; jobs.log_end is the number the next line gets,
-- so lines dropped by the cap (oldest first) leave their numbers unused and a reader sees the gap.
ALTER TABLE jobs ADD COLUMN log_end BIGINT DEFAULT 0 NOT NULL;

CREATE TABLE job_logs (
    job_id    BIGINT  NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    line_no   BIGINT  NOT NULL,
    line_text VARCHAR NOT NULL,
    PRIMARY KEY (job_id, line_no)
);
