#!/usr/bin/env bash
# SIGTERM under keep-alive load, and a client that pipelines without reading, against one or more builds'
# jars in the same run (ringfold-serving's test class io.ringfold.serving.load.ServerChecks), the server
# with the container's heap and direct-memory caps, on a digits MLP trained here.
#
#   bench/serving/checks.sh [JAR...]      # default: ringfold-cli/target/ringfold.jar
# To compare with an earlier build: git worktree add /tmp/old <commit>; (cd /tmp/old && mvn -q -DskipTests
#   package -pl ringfold-cli -am); bench/serving/checks.sh /tmp/old/ringfold-cli/target/ringfold.jar ringfold-cli/target/ringfold.jar
# A build without --drain-seconds (before it existed) is run without it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
mvn -B -q -pl ringfold-cli -am package -DskipTests
cp=ringfold-serving/target/test-classes:$(mvn -B -q -pl ringfold-serving dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile=/dev/stdout)
repo=$(mktemp -d)
java --add-modules jdk.incubator.vector -jar ringfold-cli/target/ringfold.jar train --data digits --model mlp \
    --hidden 32 --epochs 2 --seed 1 --out "$repo/digits/1" > /dev/null
[ "$#" -gt 0 ] || set -- ringfold-cli/target/ringfold.jar
for jar in "$@"; do
    echo "== $jar"
    drain=()
    if java --add-modules jdk.incubator.vector -jar "$jar" serve --help 2>/dev/null | grep -q -- --drain-seconds; then
        drain=(--drain-seconds 2)
    fi
    java -cp "$cp" io.ringfold.serving.load.ServerChecks "$jar" "$repo" drain --grace-seconds 10 "${drain[@]}"
    token=$(mktemp); echo "check-token-$RANDOM" > "$token"
    java -cp "$cp" io.ringfold.serving.load.ServerChecks "$jar" "$repo" pipelining --auth-token-file "$token"
done
rm -rf "$repo"
