#!/bin/bash
# Allreduce measurement with N local worker processes (see docs/collectives.md). Build first:
#   mvn -B -q -o -pl ringfold-collective test-compile
# usage: ringfold-collective/src/test/bench-allreduce.sh N smallMaxBytes chunkBytes iterations size1,size2,...
set -e
cd "$(dirname "$0")/../.."
CP=target/classes:target/test-classes
PORT=$((20000 + RANDOM % 20000))
pids=()
for ((r=1; r<$1; r++)); do java -cp $CP io.ringfold.collective.BenchWorker 127.0.0.1:$PORT $r $1 $2 $3 $4 $5 & pids+=($!); done
java -cp $CP io.ringfold.collective.BenchWorker 127.0.0.1:$PORT 0 $1 $2 $3 $4 $5
wait "${pids[@]}"
