package io.ringfold.tensor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class OpenBlasCoreTypeTest {

    private static final Set<String> SKYLAKE_X = Set.of("sse4_2", "avx", "avx2", "fma", "avx512f", "avx512vl",
            "avx512bw", "avx512dq", "avx512cd");

    @Test
    void zen4FlagsSelectCooperlake() {
        // The flags line of this project's AMD EPYC (Zen 4), abridged to the ones that matter.
        Set<String> zen4 = new java.util.HashSet<>(SKYLAKE_X);
        zen4.addAll(Set.of("avx512_bf16", "avx512ifma", "avx512vbmi", "avx512_vnni"));
        assertThat(OpenBlasCoreType.forFlags(zen4)).isEqualTo("Cooperlake");
    }

    @Test
    void avx512WithoutBf16SelectsSkylakeX() {
        assertThat(OpenBlasCoreType.forFlags(SKYLAKE_X)).isEqualTo("SkylakeX");
    }

    @Test
    void bf16WithoutTheAvx512BaseIsNotEnoughForCooperlake() {
        assertThat(OpenBlasCoreType.forFlags(Set.of("avx2", "fma", "avx512f", "avx512_bf16"))).isEqualTo("Haswell");
    }

    @Test
    void oldCpuKeepsOpenBlasDetection() {
        assertThat(OpenBlasCoreType.forFlags(Set.of("sse4_2", "avx"))).isNull();
        assertThat(OpenBlasCoreType.forFlags(Set.of())).isNull();
    }

    @Test
    void nameCarriesVersionCoreAndThreads() {
        assertThat(NativeBlas.describe("OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64",
                "Cooperlake", 2)).isEqualTo("openblas 0.3.21 (core Cooperlake, 2 threads)");
        assertThat(NativeBlas.describe("OpenBLAS 0.3.26", "Haswell", 1)).isEqualTo("openblas 0.3.26 (core Haswell, 1 thread)");
    }
}
