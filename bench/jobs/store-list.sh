#!/usr/bin/env bash
# The job store's list and filter time over 1,000 queued jobs (issue 21's goal: under 100 ms from PostgreSQL):
# every job newest first, queued with a name prefix, one engine with a name prefix, and the 10 newest of a prefix.
# One JSON line per query with the median, p90, min and max of --runs timed calls after a warm-up.
#
#   bench/jobs/store-list.sh [--url JDBC_URL] [--jobs N] [--runs N]
#
# --url: the store (default: embedded H2 in a temporary directory, removed afterwards); for PostgreSQL e.g.
# "jdbc:postgresql://localhost:5432/ringfold_jobs_test?user=ringfold_test&password=ringfold_test", the test
# database .ci/run creates. Each run adds its --jobs (default 1000) queued jobs to that database, so use a scratch
# one. --runs (default 50) timed calls per query. The client and the server share this machine's cores.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
case "${1:-}" in
  -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac

# Compiled with the reactor (never from ~/.m2's snapshots); the classpath file lists the reactor's target/classes.
mvn -B -o -q -pl ringfold-jobs -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test
cp="ringfold-jobs/target/test-classes:ringfold-jobs/target/classes:$(cat ringfold-jobs/target/bench-classpath.txt)"
exec java --add-modules jdk.incubator.vector -cp "$cp" io.ringfold.jobs.store.JobStoreListBench "$@"
