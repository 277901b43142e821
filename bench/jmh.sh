#!/bin/sh
# Builds ringfold-bench and runs its JMH benchmarks; for GemmBenchmark it also prints a Markdown table
# with GFLOP/s and the native/java ratio (bench/RESULTS.md, section "Kernels (JMH)").
# Usage: bench/jmh.sh [JMH arguments...]   (default: GemmBenchmark with modest iteration counts)
# Example: bench/jmh.sh GemmBenchmark -p shape=NN:256x256x256 -wi 2 -i 3
set -eu
cd "$(dirname "$0")/.."

mvn -B -q -pl ringfold-bench -am package -DskipTests

if [ "$#" -eq 0 ]; then
    set -- GemmBenchmark -wi 2 -w 1s -i 3 -r 1s -f 1
fi
csv=$(mktemp "${TMPDIR:-/tmp}/ringfold-jmh.XXXXXX.csv")
java --add-modules jdk.incubator.vector -jar ringfold-bench/target/benchmarks.jar "$@" -rf csv -rff "$csv"

# GFLOP/s = 2*M*N*K / (µs per call * 1e3), for rows whose shape parameter reads OPS:MxNxK.
awk -F, '
    { gsub(/["\r]/, "") }
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    {
        if (!("Param: shape" in col) || $col["Unit"] != "us/op") next
        shape = $col["Param: shape"]; impl = $col["Param: impl"]
        split(substr(shape, 4), d, "x")
        score[shape, impl] = $col["Score"]; err[shape, impl] = $col["Score Error (99.9%)"] + 0
        gflops[shape, impl] = 2 * d[1] * d[2] * d[3] / ($col["Score"] * 1e3)
        if (!(shape in seen)) { seen[shape] = 1; order[++n] = shape }
    }
    END {
        if (n == 0) exit
        print "| shape (ops:MxNxK) | java-1 µs | java-all µs | native-1 µs | native-all µs | GFLOP/s java-1 / java-all / native-1 / native-all | speed-up native-all over java-all |"
        print "|---|---|---|---|---|---|---|"
        for (s = 1; s <= n; s++) {
            sh = order[s]; line = "| " sh
            split("java-1 java-all native-1 native-all", impls, " ")
            g = ""
            for (i = 1; i <= 4; i++) {
                key = sh SUBSEP impls[i]
                line = line sprintf(" | %s", (key in score) ? sprintf("%.1f ± %.1f", score[key], err[key]) : "–")
                g = g sprintf("%s%s", (i > 1 ? " / " : ""), (key in score) ? sprintf("%.1f", gflops[key]) : "–")
            }
            ratio = ((sh SUBSEP "native-all") in score && (sh SUBSEP "java-all") in score) \
                ? sprintf("%.2f", score[sh, "java-all"] / score[sh, "native-all"]) : "–"
            print line " | " g " | " ratio " |"
        }
    }' "$csv"
echo "raw results: $csv"
