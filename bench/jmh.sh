#!/bin/sh
# Builds ringfold-bench and runs its JMH benchmarks; for GemmBenchmark it also prints a Markdown table
# with GFLOP/s and the native/java ratio (bench/RESULTS.md, section "Kernels (JMH)"), for ConvBenchmark
# one with GFLOP/s against the SGEMM peak of the same run (section "Convolution kernels (JMH)").
# Usage: bench/jmh.sh [JMH arguments...]   (default: GemmBenchmark with modest iteration counts)
# Example: bench/jmh.sh GemmBenchmark -p shape=NN:256x256x256 -wi 2 -i 3
#          bench/jmh.sh ConvBenchmark -wi 5 -w 1s -i 5 -r 1s
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
# ConvBenchmark: LeNet's multiply-adds per example (conv1 20·25·576, conv2 50·500·64); forward and predict
# 2 flops each, backward the weight gradient, and for conv2 dx as well. Peak = 2·size³ / time of sgemmPeak.
awk -F, '
    { gsub(/["\r]/, "") }
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    {
        if (!("Param: impl" in col) || $col["Benchmark"] !~ /ConvBenchmark/ || $col["Unit"] != "us/op") next
        split($col["Benchmark"], parts, "."); method = parts[length(parts)]
        impl = $col["Param: impl"]; us = $col["Score"]; e = $col["Score Error (99.9%)"] + 0
        if (method == "sgemmPeak") {
            n = $col["Param: size"]; peak[impl] = 2 * n * n * n / (us * 1e3); peakSize[impl] = n; next
        }
        layer = $col["Param: layer"]; rows = $col["Param: rows"]
        mac = (layer == "conv1" ? 20 * 25 * 576 : 50 * 500 * 64) * rows
        flops = (method == "backward" ? (layer == "conv1" ? 2 : 4) : (method == "maxPool" ? 0 : 2)) * mac
        key = layer SUBSEP rows SUBSEP impl SUBSEP method
        score[key] = us; err[key] = e; fl[key] = flops
        if (!((rows SUBSEP impl) in seenRun)) { seenRun[rows SUBSEP impl] = 1; runs[++nr] = rows SUBSEP impl }
    }
    END {
        if (nr == 0) exit
        print "| layer | rows | BLAS (1 thread) | pass | µs per call | GFLOP/s | peer: SGEMM peak GFLOP/s | ratio |"
        print "|---|---|---|---|---|---|---|---|"
        split("forward backward predict maxPool", methods, " ")
        for (r = 1; r <= nr; r++) {
            split(runs[r], ri, SUBSEP)
            for (l = 1; l <= 2; l++) {
                layer = "conv" l
                for (m = 1; m <= 4; m++) {
                    key = layer SUBSEP ri[1] SUBSEP ri[2] SUBSEP methods[m]
                    if (!(key in score)) continue
                    g = fl[key] > 0 ? fl[key] / (score[key] * 1e3) : 0
                    p = (ri[2] in peak) ? peak[ri[2]] : 0
                    printf "| %s | %s | %s | %s | %.1f ± %.1f | %s | %s | %s |\n", layer, ri[1], ri[2], methods[m], \
                        score[key], err[key], (g > 0 ? sprintf("%.1f", g) : "–"), (p > 0 ? sprintf("%.1f", p) : "–"), \
                        (g > 0 && p > 0 ? sprintf("%.2f", g / p) : "–")
                }
            }
            # A training step of both convolutions: conv1 forward + weight gradient, conv2 forward + backward.
            t = 0; f = 0; complete = 1
            for (l = 1; l <= 2; l++) {
                for (m = 1; m <= 2; m++) {
                    key = "conv" l SUBSEP ri[1] SUBSEP ri[2] SUBSEP methods[m]
                    if (key in score) { t += score[key]; f += fl[key] } else complete = 0
                }
            }
            if (complete) {
                g = f / (t * 1e3); p = (ri[2] in peak) ? peak[ri[2]] : 0
                printf "| **both, training** | %s | %s | fwd + bwd | %.1f | **%.1f** | %s | **%s** |\n", ri[1], ri[2], t, g, \
                    (p > 0 ? sprintf("%.1f", p) : "–"), (p > 0 ? sprintf("%.2f", g / p) : "–")
            }
        }
        for (impl in peak) printf "peak (%s): square SGEMM %d³, %.1f GFLOP/s\n", impl, peakSize[impl], peak[impl]
    }' "$csv"
echo "raw results: $csv"
