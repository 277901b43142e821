-- Each job's epochs as reported, for the curves of a running job; the row of the current epoch is also in
-- jobs.epoch_metrics. A job resumed from a checkpoint reports its epochs again from there and replaces them.
CREATE TABLE job_epochs (
    job_id  BIGINT  NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    epoch   INTEGER NOT NULL,
    metrics VARCHAR NOT NULL,
    PRIMARY KEY (job_id, epoch)
);
