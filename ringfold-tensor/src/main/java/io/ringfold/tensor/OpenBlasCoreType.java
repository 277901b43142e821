package io.ringfold.tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The OPENBLAS_CORETYPE to force before OpenBLAS loads. OpenBLAS 0.3.21 does not know AMD Zen 4 and
 * falls back to "Prescott" (SSE3 kernels, ~29 GFLOP/s per core here) although the CPU runs its
 * AVX-512 kernels (130-150 GFLOP/s per core as "Cooperlake"). The type is chosen from the CPU flags in
 * /proc/cpuinfo and is never one whose instructions the CPU lacks; where no rule applies, OpenBLAS's
 * own detection stands.
 */
final class OpenBlasCoreType {

    static final Path CPUINFO = Path.of("/proc/cpuinfo");

    private OpenBlasCoreType() {
    }

    /** The core type for these CPU flags (as /proc/cpuinfo spells them), or null to leave OpenBLAS's choice. */
    static String forFlags(Set<String> flags) {
        boolean skylakeX = flags.containsAll(List.of("avx512f", "avx512vl", "avx512bw", "avx512dq", "avx512cd"));
        if (skylakeX && flags.contains("avx512_bf16")) {
            return "Cooperlake";
        }
        if (skylakeX) {
            return "SkylakeX";
        }
        if (flags.containsAll(List.of("avx2", "fma"))) {
            return "Haswell";
        }
        return null;
    }

    /** The flags of the first processor in /proc/cpuinfo; empty where that file is absent (not Linux). */
    static Set<String> cpuFlags() {
        if (!Files.isReadable(CPUINFO)) {
            return Set.of();
        }
        try {
            for (String line : Files.readAllLines(CPUINFO)) {
                if (line.startsWith("flags")) {
                    int colon = line.indexOf(':');
                    return Set.of(line.substring(colon + 1).trim().split("\\s+"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + CPUINFO, e);
        }
        return Set.of();
    }
}
