package io.ringfold.jobs.store;

import io.ringfold.jobs.Engine;
import io.ringfold.jobs.JobSpec;
import io.ringfold.jobs.JobState;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Times {@link JobStore#list} over 1,000 queued jobs, the goal being under 100 ms from PostgreSQL: all of
 * them newest first, and three filters. Adds its 1,000 jobs (named {@code bench-<run>-<i>}) to the database each
 * run, so point it at a scratch database. Run by bench/jobs/store-list.sh; prints one JSON line per query.
 *
 * <pre>JobStoreListBench [--url JDBC_URL] [--jobs N] [--runs N]</pre>
 */
public final class JobStoreListBench {

    private JobStoreListBench() {
    }

    public static void main(String[] args) throws Exception {
        String url = null;
        int jobs = 1000;
        int runs = 50;
        for (int i = 0; i < args.length; i += 2) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null) {
                throw new IllegalArgumentException(args[i] + ": missing value");
            }
            switch (args[i]) {
                case "--url" -> url = value;
                case "--jobs" -> jobs = Integer.parseInt(value);
                case "--runs" -> runs = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (expected: --url, --jobs, --runs)");
            }
        }
        Path tmp = null;
        if (url == null) {
            tmp = Files.createTempDirectory("ringfold-jobs-bench");
            url = JobStores.h2Url(tmp);
        }
        String prefix = "bench-" + Long.toString(System.currentTimeMillis(), 36);
        try (JdbcJobStore store = JobStores.open(url)) {
            Engine[] engines = Engine.values();
            long t0 = System.nanoTime();
            for (int i = 0; i < jobs; i++) {
                store.create(JobSpec.train(prefix + "-" + i, engines[i % engines.length], List.of("--data", "digits",
                        "--epochs", "10", "--hidden", "64"), "bench"));
            }
            System.out.printf(Locale.ROOT, "{\"store\":\"%s\",\"jobs\":%d,\"create_ms_per_job\":%.3f}%n", store, jobs,
                    (System.nanoTime() - t0) / 1e6 / jobs);
            int limit = Math.min(jobs, JobQuery.MAX_LIMIT);
            JobQuery all = JobQuery.all().withLimit(limit);
            time("all newest first", runs, () -> store.list(all).size());
            time("queued, name prefix", runs, () -> store.list(all.withStates(EnumSet.of(JobState.QUEUED))
                    .withNamePrefix(prefix)).size());
            time("engine spark, name prefix", runs, () -> store.list(all.withEngine(Engine.SPARK).withNamePrefix(prefix)).size());
            time("name prefix, 10 newest", runs, () -> store.list(all.withNamePrefix(prefix + "-99").withLimit(10)).size());
        } finally {
            if (tmp != null) {
                try (var files = Files.walk(tmp)) {
                    files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static void time(String query, int runs, Supplier<Integer> list) {
        for (int i = 0; i < Math.max(5, runs / 5); i++) {
            list.get();
        }
        double[] ms = new double[runs];
        int rows = 0;
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            rows = list.get();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf(Locale.ROOT, "{\"query\":\"%s\",\"rows\":%d,\"runs\":%d,\"median_ms\":%.2f,\"p90_ms\":%.2f,"
                + "\"min_ms\":%.2f,\"max_ms\":%.2f}%n", query, rows, runs, ms[runs / 2], ms[(int) (runs * 0.9)], ms[0],
                ms[runs - 1]);
    }
}
