package io.ringfold.jobs.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ringfold.jobs.Engine;
import io.ringfold.jobs.Job;
import io.ringfold.jobs.JobOutcome;
import io.ringfold.jobs.JobProgress;
import io.ringfold.jobs.JobSpec;
import io.ringfold.jobs.JobState;
import io.ringfold.jobs.JobType;
import io.ringfold.runs.FileRunStore;
import io.ringfold.runs.RunRecord;
import io.ringfold.train.EpochMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@link JobStore} contract, run against each database by a subclass ({@link H2JobStoreTest},
 * {@link PostgresJobStoreTest}). Each test starts from an empty database given by {@link #emptyDatabaseUrl}.
 */
abstract class JobStoreContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T0 = Instant.parse("2026-12-01T10:00:00.123456Z");

    @TempDir
    Path tmp;

    protected final SteppingClock clock = new SteppingClock(T0);
    protected String url;
    protected JdbcJobStore store;
    private final List<JdbcJobStore> opened = new ArrayList<>();

    /** The URL of an empty database (no tables), for this test alone. */
    protected abstract String emptyDatabaseUrl(Path tmp) throws Exception;

    /** A data source without a pool on another empty database or schema named {@code name}, for migrating by hand. */
    protected abstract DataSource emptyDataSource(Path tmp, String name) throws Exception;

    @BeforeEach
    void open() throws Exception {
        url = emptyDatabaseUrl(tmp);
        store = openStore(JdbcJobStore.Limits.DEFAULT);
    }

    @AfterEach
    void close() {
        opened.forEach(JdbcJobStore::close);
    }

    /** Another store on the same database: another service. */
    protected JdbcJobStore openStore(JdbcJobStore.Limits limits) {
        JdbcJobStore s = JobStores.open(url, Map.of(), clock, limits);
        opened.add(s);
        return s;
    }

    private static JobSpec spec(String name) {
        return JobSpec.train(name, Engine.LOCAL, List.of("--data", "digits", "--epochs", "3"), "alice");
    }

    @Test
    void createAndGetRoundTripEverySpecField() {
        JobSpec spec = new JobSpec("digits-mlp", JobType.TRAIN, Engine.LAUNCH, List.of("--data", "digits", "--hidden", "64",
                "--note", "naïve \"quoted\" ✓"), "digits", 4, 2, "alice@example.org");
        Job created = store.create(spec);

        assertThat(created.id()).isPositive();
        assertThat(created.spec()).isEqualTo(spec);
        assertThat(created.state()).isEqualTo(JobState.QUEUED);
        assertThat(created.createdAt()).isEqualTo(T0);
        assertThat(created.startedAt()).isNull();
        assertThat(created.attempts()).isZero();
        assertThat(created.progress()).isEqualTo(JobProgress.NONE);
        assertThat(store.get(created.id())).contains(created);
        assertThat(store.create(spec("second")).id()).isGreaterThan(created.id());
        assertThat(store.get(created.id() + 1000)).isEmpty();
    }

    @Test
    void listIsNewestFirstAndFiltersOneThousandJobs() {
        Engine[] engines = Engine.values();
        for (int i = 0; i < 1000; i++) {
            clock.advance(Duration.ofSeconds(1));
            store.create(JobSpec.train((i % 2 == 0 ? "even-" : "odd-") + i, engines[i % engines.length], List.of("--epochs",
                    "1"), "bench"));
        }
        for (int i = 0; i < 10; i++) {
            store.claimNext("svc-a");
        }
        long t0 = System.nanoTime();
        List<Job> all = store.list(JobQuery.all().withLimit(1000));
        double ms = (System.nanoTime() - t0) / 1e6;
        System.out.printf("%s: 1,000 jobs listed in %.1f ms (bench/jobs/store-list.sh measures it)%n", getClass().getSimpleName(), ms);

        assertThat(all).hasSize(1000);
        assertThat(all.get(0).spec().name()).isEqualTo("odd-999");
        for (int i = 1; i < all.size(); i++) {
            assertThat(all.get(i).createdAt()).isBefore(all.get(i - 1).createdAt());
        }
        assertThat(store.list(JobQuery.all().withLimit(1000).withStates(EnumSet.of(JobState.RUNNING))))
                .extracting(j -> j.spec().name()).containsExactly("odd-9", "even-8", "odd-7", "even-6", "odd-5", "even-4",
                        "odd-3", "even-2", "odd-1", "even-0");
        assertThat(store.list(JobQuery.all().withLimit(1000).withNamePrefix("even-9"))).hasSize(55)
                .allSatisfy(j -> assertThat(j.spec().name()).startsWith("even-9"));
        assertThat(store.list(JobQuery.all().withLimit(1000).withEngine(Engine.SPARK))).hasSize(250)
                .allSatisfy(j -> assertThat(j.spec().engine()).isEqualTo(Engine.SPARK));
        Instant after = T0.plusSeconds(101);
        Instant before = T0.plusSeconds(201);
        assertThat(store.list(JobQuery.all().withLimit(1000).withCreated(after, before)))
                .extracting(j -> j.spec().name()).hasSize(100).startsWith("odd-199").endsWith("even-100");
        assertThat(store.list(JobQuery.all().withLimit(5).withStates(EnumSet.of(JobState.QUEUED)).withEngine(Engine.LAUNCH)
                .withNamePrefix("odd")).stream().map(j -> j.spec().name())).containsExactly("odd-997", "odd-993", "odd-989",
                "odd-985", "odd-981");
        assertThat(store.count(JobState.QUEUED)).isEqualTo(990);
        assertThat(store.count(JobState.RUNNING)).isEqualTo(10);
    }

    @Test
    void namePrefixMatchesUnderscoreLiterally() {
        store.create(spec("a_b"));
        store.create(spec("axb"));

        assertThat(store.list(JobQuery.all().withNamePrefix("a_"))).extracting(j -> j.spec().name()).containsExactly("a_b");
    }

    @Test
    void claimNextTakesTheOldestQueuedJobAndCountsTheAttempt() {
        Job first = store.create(spec("first"));
        clock.advance(Duration.ofSeconds(1));
        Job second = store.create(spec("second"));
        clock.advance(Duration.ofSeconds(1));

        Job claimed = store.claimNext("svc-a").orElseThrow();
        assertThat(claimed.id()).isEqualTo(first.id());
        assertThat(claimed.state()).isEqualTo(JobState.RUNNING);
        assertThat(claimed.owner()).isEqualTo("svc-a");
        assertThat(claimed.startedAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(claimed.heartbeatAt()).isEqualTo(T0.plusSeconds(2));
        assertThat(claimed.attempts()).isEqualTo(1);
        assertThat(store.claimNext("svc-b").orElseThrow().id()).isEqualTo(second.id());
        assertThat(store.claimNext("svc-a")).isEmpty();
    }

    @Test
    void illegalTransitionsAreRefusedAndChangeNothing() {
        Job queued = store.create(spec("queued"));
        assertThatThrownBy(() -> store.finish(queued.id(), "svc-a", JobOutcome.succeeded(null, null)))
                .isInstanceOf(JobStateException.class)
                .hasMessage("job " + queued.id() + ": QUEUED, cannot finish as SUCCEEDED (expected: RUNNING)");
        assertThatThrownBy(() -> store.release(queued.id(), "svc-a", "shutting down"))
                .isInstanceOf(JobStateException.class).hasMessageContaining("QUEUED, cannot release");
        assertThatThrownBy(() -> store.retry(queued.id()))
                .isInstanceOf(JobStateException.class).hasMessageContaining("QUEUED, cannot be retried");
        assertThat(store.get(queued.id())).contains(queued);

        Job running = store.claimNext("svc-a").orElseThrow();
        assertThatThrownBy(() -> store.finish(running.id(), "svc-b", JobOutcome.failed("boom")))
                .isInstanceOf(JobStateException.class)
                .hasMessage("job " + running.id() + ": owned by svc-a, cannot finish as FAILED for svc-b (expected: its owner)");
        assertThatThrownBy(() -> store.progress(running.id(), "svc-b", new JobProgress(1, 3, JSON.createObjectNode())))
                .isInstanceOf(JobStateException.class).hasMessageContaining("owned by svc-a");
        assertThat(store.get(running.id())).contains(running);

        Job done = store.finish(running.id(), "svc-a", JobOutcome.succeeded(JSON.createObjectNode().put("accuracy", 0.9), 3L));
        assertThatThrownBy(() -> store.finish(done.id(), "svc-a", JobOutcome.failed("late")))
                .isInstanceOf(JobStateException.class).hasMessageContaining("SUCCEEDED, cannot finish as FAILED");
        assertThatThrownBy(() -> store.retry(done.id())).isInstanceOf(JobStateException.class)
                .hasMessage("job " + done.id() + ": SUCCEEDED, cannot be retried (expected: FAILED or CANCELLED; submit a new "
                        + "job to train again)");
        assertThatThrownBy(() -> store.requestCancel(done.id())).isInstanceOf(JobStateException.class)
                .hasMessage("job " + done.id() + ": SUCCEEDED, cannot be cancelled (expected: QUEUED or RUNNING)");
        assertThatThrownBy(() -> store.progress(done.id(), "svc-a", JobProgress.NONE))
                .isInstanceOf(JobStateException.class).hasMessageContaining("SUCCEEDED, cannot record progress");
        assertThat(store.get(done.id())).contains(done);
    }

    @Test
    void unknownIdsAreNamed() {
        assertThatThrownBy(() -> store.requestCancel(77)).isInstanceOf(UnknownJobException.class)
                .hasMessage("job 77: not found (expected: the id of a submitted job)");
        assertThatThrownBy(() -> store.retry(77)).isInstanceOf(UnknownJobException.class);
        assertThatThrownBy(() -> store.finish(77, "svc-a", JobOutcome.failed("x"))).isInstanceOf(UnknownJobException.class);
        assertThatThrownBy(() -> store.appendLog(77, List.of("x"))).isInstanceOf(UnknownJobException.class);
        assertThatThrownBy(() -> store.readLog(77, 0, 10)).isInstanceOf(UnknownJobException.class);
        assertThatThrownBy(() -> store.claimNext("bad owner")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("owner: 'bad owner' (expected:");
    }

    @Test
    void progressAndFinishAreRecorded() {
        store.create(spec("p"));
        Job j = store.claimNext("svc-a").orElseThrow();
        clock.advance(Duration.ofSeconds(30));
        ObjectNode metrics = JSON.createObjectNode().put("epoch", 2).put("loss", 0.25);
        Job p = store.progress(j.id(), "svc-a", new JobProgress(2, 3, metrics));
        assertThat(p.progress()).isEqualTo(new JobProgress(2, 3, metrics));
        assertThat(p.heartbeatAt()).isEqualTo(T0.plusSeconds(30));

        clock.advance(Duration.ofSeconds(5));
        ObjectNode result = JSON.createObjectNode().put("test_accuracy", 0.97);
        Job done = store.finish(j.id(), "svc-a", JobOutcome.succeeded(result, 4L));
        assertThat(done.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(done.result()).isEqualTo(result);
        assertThat(done.publishedVersion()).isEqualTo(4L);
        assertThat(done.finishedAt()).isEqualTo(T0.plusSeconds(35));
        assertThat(done.heartbeatAt()).isNull();
        assertThat(done.owner()).isEqualTo("svc-a");
        assertThat(done.progress().epoch()).isEqualTo(2);
    }

    @Test
    void epochsAreKeptInOrderReplacedOnResumeAndClearedOnRetry() {
        Job j = store.create(spec("curves"));
        store.claimNext("svc-a");
        assertThat(store.epochs(j.id())).isEmpty();
        for (int e = 1; e <= 3; e++) {
            store.progress(j.id(), "svc-a", new JobProgress(e, 5, JSON.createObjectNode().put("loss", 1.0 / e)));
        }
        assertThat(store.epochs(j.id())).extracting(JobProgress::epoch).containsExactly(1, 2, 3);
        assertThat(store.epochs(j.id()).get(1).metrics().get("loss").asDouble()).isEqualTo(0.5);
        assertThat(store.epochs(j.id())).allSatisfy(p -> assertThat(p.epochs()).isEqualTo(5));

        // Resumed from the checkpoint of epoch 1: epoch 2 is reported again and the old epochs 2 and 3 go.
        store.progress(j.id(), "svc-a", new JobProgress(2, 5, JSON.createObjectNode().put("loss", 0.4)));
        assertThat(store.epochs(j.id())).extracting(p -> p.metrics().get("loss").asDouble()).containsExactly(1.0, 0.4);
        assertThatThrownBy(() -> store.progress(j.id(), "svc-b", new JobProgress(3, 5, JSON.createObjectNode())))
                .isInstanceOf(JobStateException.class);
        assertThat(store.epochs(j.id())).hasSize(2);

        store.finish(j.id(), "svc-a", JobOutcome.failed("killed"));
        store.retry(j.id());
        assertThat(store.epochs(j.id())).isEmpty();
        assertThatThrownBy(() -> store.epochs(4242)).isInstanceOf(UnknownJobException.class);
    }

    @Test
    void concurrentClaimersOfTwoServicesNeverClaimOneJobTwice() throws Exception {
        int jobs = 200;
        for (int i = 0; i < jobs; i++) {
            store.create(spec("c" + i));
        }
        JdbcJobStore other = openStore(JdbcJobStore.Limits.DEFAULT);
        int threadsPerService = 4;
        ExecutorService pool = Executors.newFixedThreadPool(2 * threadsPerService);
        try {
            List<Future<List<Long>>> claims = new ArrayList<>();
            for (int t = 0; t < 2 * threadsPerService; t++) {
                JdbcJobStore s = t % 2 == 0 ? store : other;
                String owner = (t % 2 == 0 ? "svc-a" : "svc-b") + ":" + t;
                Callable<List<Long>> claimer = () -> {
                    List<Long> mine = new ArrayList<>();
                    for (Optional<Job> j = s.claimNext(owner); j.isPresent(); j = s.claimNext(owner)) {
                        assertThat(j.get().owner()).isEqualTo(owner);
                        mine.add(j.get().id());
                    }
                    return mine;
                };
                claims.add(pool.submit(claimer));
            }
            List<Long> all = new ArrayList<>();
            Set<Integer> claimersThatWon = new HashSet<>();
            for (int t = 0; t < claims.size(); t++) {
                List<Long> mine = claims.get(t).get(60, TimeUnit.SECONDS);
                if (!mine.isEmpty()) {
                    claimersThatWon.add(t);
                }
                all.addAll(mine);
            }
            assertThat(all).hasSize(jobs).doesNotHaveDuplicates();
            assertThat(claimersThatWon).as("claimers that got at least one job").hasSizeGreaterThan(1);
            assertThat(store.count(JobState.RUNNING)).isEqualTo(jobs);
            assertThat(store.list(JobQuery.all().withLimit(1000))).allSatisfy(j -> assertThat(j.attempts()).isEqualTo(1));
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void heartbeatSaysWhichJobsTheOwnerStillHasAndWhichToCancel() {
        Job a = store.create(spec("a"));
        Job b = store.create(spec("b"));
        Job c = store.create(spec("c"));
        store.claimNext("svc-a");
        store.claimNext("svc-a");
        store.claimNext("svc-b");
        store.requestCancel(b.id());
        clock.advance(Duration.ofSeconds(10));

        HeartbeatReply reply = store.heartbeat("svc-a", List.of(a.id(), b.id(), c.id()));

        assertThat(reply.owned()).containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(reply.cancelRequested()).containsExactly(b.id());
        assertThat(store.get(a.id()).orElseThrow().heartbeatAt()).isEqualTo(T0.plusSeconds(10));
        assertThat(store.get(c.id()).orElseThrow().heartbeatAt()).isEqualTo(T0);
    }

    @Test
    void aDeadOwnersJobsAreTakenOverOnceAndItCanNoLongerFinishThem() throws Exception {
        Job a = store.create(spec("a"));
        Job b = store.create(spec("b"));
        Job live = store.create(spec("live"));
        store.claimNext("svc-dead");
        store.claimNext("svc-dead");
        store.claimNext("svc-live");
        store.progress(a.id(), "svc-dead", new JobProgress(2, 5, JSON.createObjectNode().put("loss", 0.5)));
        clock.advance(Duration.ofSeconds(90));
        store.heartbeat("svc-live", List.of(live.id()));

        assertThat(store.reclaimStale(Duration.ofSeconds(120), "svc-new")).isEmpty();
        // Two services reclaim at once: each job goes to exactly one of them.
        JdbcJobStore other = openStore(JdbcJobStore.Limits.DEFAULT);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Job> taken = new ArrayList<>();
        try {
            Future<List<Job>> first = pool.submit(() -> store.reclaimStale(Duration.ofSeconds(60), "svc-new"));
            Future<List<Job>> second = pool.submit(() -> other.reclaimStale(Duration.ofSeconds(60), "svc-other"));
            taken.addAll(first.get(60, TimeUnit.SECONDS));
            taken.addAll(second.get(60, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(taken).extracting(Job::id).containsExactlyInAnyOrder(a.id(), b.id());
        Job resumed = taken.stream().filter(j -> j.id() == a.id()).findFirst().orElseThrow();
        assertThat(resumed.state()).isEqualTo(JobState.RUNNING);
        assertThat(resumed.attempts()).isEqualTo(2);
        assertThat(resumed.progress().epoch()).as("the epoch to resume after").isEqualTo(2);
        assertThat(resumed.owner()).isIn("svc-new", "svc-other");
        assertThat(store.get(live.id()).orElseThrow().owner()).isEqualTo("svc-live");
        assertThat(store.heartbeat("svc-dead", List.of(a.id(), b.id())).owned()).isEmpty();
        assertThatThrownBy(() -> store.finish(a.id(), "svc-dead", JobOutcome.succeeded(null, null)))
                .isInstanceOf(JobStateException.class).hasMessageContaining("owned by " + resumed.owner());
        assertThat(store.readLog(a.id(), 0, 10).lines()).containsExactly("taken over by " + resumed.owner() + " from svc-dead");

        Job failed = store.finish(b.id(), store.get(b.id()).orElseThrow().owner(),
                JobOutcome.failed("the service running it died (svc-dead) and it has no checkpoint"));
        assertThat(failed.reason()).isEqualTo("the service running it died (svc-dead) and it has no checkpoint");
    }

    @Test
    void aRestartedServiceTakesBackItsOwnJobsAtOnce() {
        Job a = store.create(spec("a"));
        store.create(spec("b"));
        store.claimNext("host-1:8080");
        store.claimNext("host-2:8080");

        List<Job> mine = store.reclaimFrom("host-1:8080", "host-1:8080");

        assertThat(mine).extracting(Job::id).containsExactly(a.id());
        assertThat(mine.get(0).attempts()).isEqualTo(2);
        assertThat(store.reclaimFrom("host-3:8080", "host-1:8080")).isEmpty();
    }

    @Test
    void cancelEndsAQueuedJobAndAsksTheOwnerOfARunningOne() {
        Job running = store.create(spec("running"));
        Job queued = store.create(spec("queued"));
        store.claimNext("svc-a");

        Job cancelled = store.requestCancel(queued.id());
        assertThat(cancelled.state()).isEqualTo(JobState.CANCELLED);
        assertThat(cancelled.reason()).isEqualTo("cancelled before it started");
        assertThat(cancelled.finishedAt()).isEqualTo(T0);
        assertThat(store.requestCancel(queued.id())).as("cancelling twice").isEqualTo(cancelled);
        assertThat(store.claimNext("svc-a")).isEmpty();

        Job asked = store.requestCancel(running.id());
        assertThat(asked.state()).isEqualTo(JobState.RUNNING);
        assertThat(asked.cancelRequested()).isTrue();
        Job stopped = store.finish(running.id(), "svc-a", JobOutcome.cancelled("cancelled at epoch 2 of 5"));
        assertThat(stopped.state()).isEqualTo(JobState.CANCELLED);
        assertThat(stopped.reason()).isEqualTo("cancelled at epoch 2 of 5");
    }

    @Test
    void retryQueuesTheSameJobAgainBehindTheWaitingOnesAndKeepsItsLog() {
        Job j = store.create(spec("flaky"));
        store.claimNext("svc-a");
        store.appendLog(j.id(), List.of("epoch 1/3 loss 0.9"));
        store.progress(j.id(), "svc-a", new JobProgress(1, 3, JSON.createObjectNode().put("loss", 0.9)));
        store.finish(j.id(), "svc-a", JobOutcome.failed("worker 1 exited with status 137"));
        clock.advance(Duration.ofSeconds(1));
        Job waiting = store.create(spec("waiting"));
        clock.advance(Duration.ofSeconds(1));

        Job retried = store.retry(j.id());

        assertThat(retried.id()).isEqualTo(j.id());
        assertThat(retried.state()).isEqualTo(JobState.QUEUED);
        assertThat(retried.reason()).isNull();
        assertThat(retried.owner()).isNull();
        assertThat(retried.finishedAt()).isNull();
        assertThat(retried.progress()).isEqualTo(JobProgress.NONE);
        assertThat(retried.attempts()).isEqualTo(1);
        assertThat(retried.createdAt()).isEqualTo(j.createdAt());
        assertThat(store.readLog(j.id(), 0, 10).lines()).containsExactly("epoch 1/3 loss 0.9",
                "retried: attempt 1 ended FAILED: worker 1 exited with status 137");
        assertThat(store.claimNext("svc-b").orElseThrow().id()).isEqualTo(waiting.id());
        Job again = store.claimNext("svc-b").orElseThrow();
        assertThat(again.id()).isEqualTo(j.id());
        assertThat(again.attempts()).isEqualTo(2);
    }

    @Test
    void releaseReturnsARunningJobToTheFrontOfTheQueueWithItsProgress() {
        Job j = store.create(spec("long"));
        clock.advance(Duration.ofSeconds(1));
        store.create(spec("later"));
        store.claimNext("svc-a");
        store.progress(j.id(), "svc-a", new JobProgress(4, 10, JSON.createObjectNode()));

        Job released = store.release(j.id(), "svc-a", "service shutting down");

        assertThat(released.state()).isEqualTo(JobState.QUEUED);
        assertThat(released.owner()).isNull();
        assertThat(released.progress().epoch()).isEqualTo(4);
        assertThat(store.readLog(j.id(), 0, 10).lines()).containsExactly("released by svc-a: service shutting down");
        assertThat(store.claimNext("svc-b").orElseThrow().id()).isEqualTo(j.id());
    }

    @Test
    void logsArePagedFromALineNumber() {
        Job j = store.create(spec("logged"));
        assertThat(store.readLog(j.id(), 0, 10)).isEqualTo(new LogPage(0, List.of(), 0));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            lines.add("line " + i);
        }
        assertThat(store.appendLog(j.id(), lines.subList(0, 20))).isEqualTo(20);
        assertThat(store.appendLog(j.id(), lines.subList(20, 25))).isEqualTo(25);

        LogPage first = store.readLog(j.id(), 0, 10);
        assertThat(first).isEqualTo(new LogPage(0, lines.subList(0, 10), 10));
        LogPage rest = store.readLog(j.id(), first.next(), 100);
        assertThat(rest).isEqualTo(new LogPage(10, lines.subList(10, 25), 25));
        assertThat(store.readLog(j.id(), 25, 10)).isEqualTo(new LogPage(25, List.of(), 25));
        assertThatThrownBy(() -> store.readLog(j.id(), 26, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("from: 26 (expected: 0 to 25, the number of lines job " + j.id() + " has logged)");
        assertThatThrownBy(() -> store.readLog(j.id(), 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("maxLines: 0 (expected: 1 to ");

        assertThat(store.readLogTail(j.id(), 3)).isEqualTo(new LogPage(22, lines.subList(22, 25), 25));
        assertThat(store.readLogTail(j.id(), 100)).isEqualTo(new LogPage(0, lines, 25));
        assertThatThrownBy(() -> store.readLogTail(4242, 3)).isInstanceOf(UnknownJobException.class);
    }

    @Test
    void theLogCapKeepsTheNewestLinesAndCutsLongOnes() {
        JdbcJobStore capped = openStore(new JdbcJobStore.Limits(5, 64));
        Job j = capped.create(spec("chatty"));
        for (int i = 0; i < 4; i++) {
            capped.appendLog(j.id(), List.of("line " + i));
        }
        capped.appendLog(j.id(), List.of("line 4", "line 5", "line 6"));
        assertThat(capped.readLog(j.id(), 0, 100)).isEqualTo(new LogPage(2, List.of("line 2", "line 3", "line 4", "line 5",
                "line 6"), 7));
        List<String> burst = new ArrayList<>();
        for (int i = 7; i < 20; i++) {
            burst.add("line " + i);
        }
        assertThat(capped.appendLog(j.id(), burst)).isEqualTo(20);
        assertThat(capped.readLog(j.id(), 3, 100)).isEqualTo(new LogPage(15, List.of("line 15", "line 16", "line 17",
                "line 18", "line 19"), 20));

        capped.appendLog(j.id(), List.of("x".repeat(100), "nul\0here"));
        List<String> tail = capped.readLog(j.id(), 20, 10).lines();
        assertThat(tail.get(0)).hasSize(64).endsWith(" [cut at 64 characters]").startsWith("xxxx");
        assertThat(tail.get(1)).isEqualTo("nul\uFFFDhere");
    }

    @Test
    void fileRunRecordsAreImportedOnce() throws Exception {
        Path models = tmp.resolve("models");
        ObjectNode summary = JSON.createObjectNode().put("workers", 2).put("test_accuracy", 0.93);
        EpochMetrics e1 = new EpochMetrics(1, 0.8, 0.7, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0.1f, 1.5,
                1000);
        EpochMetrics e2 = new EpochMetrics(2, 0.4, 0.9, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0.1f, 1.4,
                1100);
        FileRunStore files = new FileRunStore(models);
        files.save(new RunRecord("20261101T080000Z-aaaaaaaa", "2026-11-01T08:00:00Z", 3.5,
                List.of("train", "--data", "digits", "--epochs", "2"), summary, List.of(e1, e2), models.resolve("digits/3")));
        files.save(new RunRecord("20261102T080000Z-bbbbbbbb", "2026-11-02T08:00:00Z", 1.0, List.of("--data", "iris"),
                JSON.createObjectNode(), List.of(), models.resolve("staging iris")));
        files.save(new RunRecord("20261103T080000Z-cccccccc", "yesterday", 1.0, List.of(), JSON.createObjectNode(), List.of(),
                models.resolve("broken")));

        ImportReport first = store.importRuns(models);
        assertThat(first.imported()).isEqualTo(2);
        assertThat(first.alreadyPresent()).isZero();
        assertThat(first.refused()).singleElement().asString()
                .startsWith(models.resolve("broken").resolve("run.json") + ": ").contains("yesterday");
        ImportReport second = store.importRuns(models);
        assertThat(second.imported()).isZero();
        assertThat(second.alreadyPresent()).isEqualTo(2);
        assertThat(store.list(JobQuery.all())).hasSize(2);

        Job digits = store.list(JobQuery.all().withNamePrefix("digits")).get(0);
        assertThat(digits.spec()).isEqualTo(new JobSpec("digits-3", JobType.TRAIN, Engine.LOCAL,
                List.of("--data", "digits", "--epochs", "2"), "digits", 2, null, "run-record-import"));
        assertThat(digits.state()).isEqualTo(JobState.SUCCEEDED);
        assertThat(digits.sourceRun()).isEqualTo("20261101T080000Z-aaaaaaaa");
        assertThat(digits.createdAt()).isEqualTo(Instant.parse("2026-11-01T08:00:00Z"));
        assertThat(digits.finishedAt()).isEqualTo(Instant.parse("2026-11-01T08:00:03.5Z"));
        assertThat(digits.progress().epoch()).isEqualTo(2);
        assertThat(digits.progress().epochs()).isEqualTo(2);
        assertThat(EpochMetrics.fromJson(digits.progress().metrics())).isEqualTo(e2);
        assertThat(digits.result()).isEqualTo(summary);
        assertThat(digits.publishedVersion()).isEqualTo(3L);
        Job staging = store.list(JobQuery.all().withNamePrefix("staging")).get(0);
        assertThat(staging.spec().name()).isEqualTo("staging-iris");
        assertThat(staging.spec().publish()).isNull();
        assertThat(staging.publishedVersion()).isNull();
    }

    @Test
    void migrationCreatesTheSchemaOnAnEmptyDatabaseAndIsANoOpAfterwards() throws Exception {
        DataSource ds = emptyDataSource(tmp, "fresh");
        assertThat(JobStoreMigrations.migrate(ds)).isEqualTo("3");
        assertThat(JobStoreMigrations.migrate(ds)).isEqualTo("3");
    }

    @Test
    void migrationUpgradesAVersionOneDatabaseKeepingItsJobs() throws Exception {
        DataSource ds = emptyDataSource(tmp, "v1");
        assertThat(JobStoreMigrations.migrate(ds, "1")).isEqualTo("1");
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO jobs (name, job_type, engine, spec_json, submitted_by, state, created_at, queued_at) "
                    + "VALUES ('old', 'train', 'local', '{\"name\":\"old\",\"type\":\"train\",\"engine\":\"local\","
                    + "\"arguments\":[\"--epochs\",\"1\"],\"submitted_by\":\"bob\"}', 'bob', 'QUEUED', "
                    + "TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00', TIMESTAMP WITH TIME ZONE '2026-01-01 00:00:00+00')");
        }

        assertThat(JobStoreMigrations.migrate(ds)).isEqualTo("3");
        JdbcJobStore upgraded = new JdbcJobStore(ds, clock, JdbcJobStore.Limits.DEFAULT, "upgraded");
        Job old = upgraded.list(JobQuery.all()).get(0);
        assertThat(old.spec()).isEqualTo(JobSpec.train("old", Engine.LOCAL, List.of("--epochs", "1"), "bob"));
        assertThat(old.createdAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(upgraded.appendLog(old.id(), List.of("first line after the upgrade"))).isEqualTo(1);
        assertThat(upgraded.claimNext("svc-a").orElseThrow().id()).isEqualTo(old.id());
    }
}
