package io.ringfold.jobs.store;

import io.ringfold.jobs.Job;
import io.ringfold.jobs.JobOutcome;
import io.ringfold.jobs.JobProgress;
import io.ringfold.jobs.JobSpec;
import io.ringfold.jobs.JobState;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * Where jobs are kept, shared by every service on one database. Each state change is one conditional
 * update (compare and set on the state and owner), so two services never both claim, finish or take over
 * one job; a move the state table ({@link JobState}) forbids, or one by a service that does not own the
 * job, throws {@link JobStateException} and changes nothing. An unknown id throws {@link UnknownJobException},
 * bad input IllegalArgumentException, a database failure {@link JobStoreException}; every message is one line.
 *
 * <p>Owners are service instance ids ({@link io.ringfold.jobs.Names#checkOwner}); a service heartbeats the
 * jobs it runs, and another may take over those whose heartbeat went stale ({@link #reclaimStale}).
 */
public interface JobStore extends AutoCloseable {

    /** Stores a new QUEUED job and returns it with its id. */
    Job create(JobSpec spec);

    Optional<Job> get(long id);

    /** Jobs matching {@code query}, newest first (creation time, then id), at most {@code query.limit()}. */
    List<Job> list(JobQuery query);

    /** How many jobs are in {@code state}: a service bounds its queue with it. */
    long count(JobState state);

    /** Moves the oldest QUEUED job to RUNNING under {@code owner} and returns it; empty when none is queued. */
    Optional<Job> claimNext(String owner);

    /**
     * Records that {@code owner} is alive and still runs {@code ids}; says which of them it still owns (a job it
     * lost to a take-over or that was finished is left out) and which have a cancel request.
     */
    HeartbeatReply heartbeat(String owner, Collection<Long> ids);

    /**
     * Records a running job's progress (and a heartbeat); only its owner may. The epoch joins the job's
     * {@link #epochs}, replacing that epoch and any later one reported before (a job resumed from a checkpoint).
     */
    Job progress(long id, String owner, JobProgress progress);

    /** The epochs a job has reported in its current attempt, in order (empty before the first, and after a retry). */
    List<JobProgress> epochs(long id);

    /** Finishes a RUNNING job as its owner reports; only its owner may. */
    Job finish(long id, String owner, JobOutcome outcome);

    /**
     * Cancels a job: a QUEUED one at once (CANCELLED), a RUNNING one by setting its cancel request for its owner
     * to act on; a CANCELLED one is returned as it is. SUCCEEDED and FAILED jobs refuse.
     */
    Job requestCancel(long id);

    /** Gives a RUNNING job back to the queue, keeping its progress (a service shutting down); only its owner may. */
    Job release(long id, String owner, String reason);

    /**
     * Queues a FAILED or CANCELLED job again as a new attempt of the same job (same id, so a client following it
     * keeps following): its progress, result and reason are cleared, its log is kept and gets a line saying how
     * the previous attempt ended. A SUCCEEDED job refuses: submit a new one to train again.
     */
    Job retry(long id);

    /**
     * Takes over the RUNNING jobs of {@code deadOwner} (a service restarted under the same instance id knows at once
     * that its jobs are orphans) for {@code newOwner}, and returns them so it can resume them from their checkpoint
     * or finish them FAILED with the reason.
     */
    List<Job> reclaimFrom(String deadOwner, String newOwner);

    /** As {@link #reclaimFrom}, for every RUNNING job of another owner whose heartbeat is older than {@code staleAfter}. */
    List<Job> reclaimStale(Duration staleAfter, String newOwner);

    /**
     * Appends lines to a job's log and returns the number the next line will get (lines are numbered from 0). Each
     * job keeps its newest lines only (a cap set by {@link JdbcJobStore.Limits}); long lines are cut.
     */
    long appendLog(long id, List<String> lines);

    /** Up to {@code maxLines} log lines from line {@code from} on; older lines than the cap keeps start later. */
    LogPage readLog(long id, long from, int maxLines);

    /** The last {@code maxLines} lines of a job's log (1 to {@link JdbcJobStore#MAX_LINES_PER_CALL}). */
    LogPage readLogTail(long id, int maxLines);

    /**
     * Reads the file run records under {@code modelsRoot} ({@link io.ringfold.runs.FileRunStore}) into the store as
     * SUCCEEDED train jobs; a record already imported (by its run id) is left alone, so importing twice adds nothing.
     */
    ImportReport importRuns(Path modelsRoot) throws IOException;

    /** Releases the database connections; the database keeps everything. */
    @Override
    void close();
}
