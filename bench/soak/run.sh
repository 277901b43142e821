#!/usr/bin/env bash
# The serving soak: `ringfold serve` as a process with the container's JVM settings, under closed-loop HTTP
# and gRPC load while model versions arrive, bad model files appear and bad clients come and go, then SIGTERM
# (ringfold-cli's ServeSoakTest, tagged `soak` and so left out of `mvn verify`). It prints a line every 10 s
# and writes ringfold-cli/target/soak.csv: requests served and failed, resident memory, heap, transport buffers.
#
#   bench/soak/run.sh [MINUTES] [SEED]        # default 10 minutes, seed 20261207
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
minutes="${1:-10}"
seed="${2:-20261207}"
mvn -B -pl ringfold-cli -am test -Dtest=ServeSoakTest -Dsurefire.failIfNoSpecifiedTests=false \
    -Dringfold.test.excludedGroups=none -Dsoak.minutes="$minutes" -Dsoak.seed="$seed" \
    -DtrimStackTrace=false | grep -E '^soak: |Tests run:|FAIL|BUILD'
